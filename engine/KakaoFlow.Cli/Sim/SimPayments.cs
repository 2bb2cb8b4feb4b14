using KakaoFlow.Payments;

namespace KakaoFlow.Cli.Sim;

/// <summary>
/// <c>pay</c> in the simulator: the host's own <see cref="PaymentService"/> (in memory, the sandbox gateway), whose
/// registration page the simulator serves. Links are made on the real clock, as the page reads them: the page is
/// opened now, whatever time the simulated user's clock shows.
/// </summary>
internal sealed class SimPayments(PaymentService service, TimeProvider clock) : IHookPayments
{
    public PaymentService Service => service;

    public string RegisterUrl(string botId, string userKey, DateTimeOffset now) => service.RegisterUrl(botId, userKey, clock.GetUtcNow());

    public CardSummary? Card(string botId, string userKey) => service.Card(botId, userKey);

    public bool RemoveCard(string botId, string userKey) => service.RemoveCard(botId, userKey);

    public ChargeResult Charge(string botId, string userKey, double amount, string orderId, DateTimeOffset now) =>
        service.Charge(botId, userKey, amount, orderId, now);

    public RefundResult Refund(string botId, string paymentId, DateTimeOffset now) => service.Refund(botId, paymentId, now);

    public RefundResult Void(string botId, string paymentId, DateTimeOffset now) => service.Void(botId, paymentId, now);
}
