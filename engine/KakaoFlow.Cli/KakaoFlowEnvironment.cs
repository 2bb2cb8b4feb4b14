namespace KakaoFlow.Cli;

/// <summary>The environment variables the commands read, all in one place.</summary>
public static class KakaoFlowEnvironment
{
    /// <summary>The owner's admin token (serve: the token to accept; admin: the token to send).</summary>
    public const string AdminToken = "KAKAOFLOW_ADMIN_TOKEN";

    /// <summary>The operator's admin token (only the operator may block and unblock).</summary>
    public const string OperatorToken = "KAKAOFLOW_OPERATOR_TOKEN";

    /// <summary>The webhook that receives monitoring messages, when <c>--notify-url</c> is not given.</summary>
    public const string NotifyUrl = "KAKAOFLOW_NOTIFY_URL";

    /// <summary>The webhook's shared secret, when <c>--webhook-secret</c> is not given (safer: not visible in <c>ps</c>).</summary>
    public const string WebhookSecret = "KAKAOFLOW_WEBHOOK_SECRET";

    /// <summary>Where serve keeps its state, when <c>--store</c> is not given: <c>redis://HOST:PORT[/DB]</c> or <c>litedb</c>.</summary>
    public const string Store = "KAKAOFLOW_STORE";

    public static string? Read(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
