namespace KakaoFlow.Hosting;

/// <summary>
/// The host refuses to start, for a reason its operator must fix (the message says what and how); thrown from
/// <c>StartAsync</c>. <c>kakaoflow serve</c> prints the message and exits 1.
/// </summary>
public sealed class KakaoFlowStartException(string message) : Exception(message);
