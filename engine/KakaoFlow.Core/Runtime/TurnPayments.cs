using KakaoFlow.Payments;

namespace KakaoFlow.Runtime;

/// <summary><c>pay</c> as one turn sees it: the host's payments, with the charges this turn made noted, so a failed turn's are voided.</summary>
internal sealed class TurnPayments(IHookPayments payments) : IHookPayments
{
    private readonly List<string> _charges = [];

    /// <summary>Charges approved during this turn (not the repeats of earlier ones).</summary>
    public IReadOnlyList<string> Charges => [.. _charges];

    public string RegisterUrl(string botId, string userKey, DateTimeOffset now) => payments.RegisterUrl(botId, userKey, now);

    public CardSummary? Card(string botId, string userKey) => payments.Card(botId, userKey);

    public bool RemoveCard(string botId, string userKey) => payments.RemoveCard(botId, userKey);

    public ChargeResult Charge(string botId, string userKey, double amount, string orderId, DateTimeOffset now)
    {
        var result = payments.Charge(botId, userKey, amount, orderId, now);
        if (result is { Ok: true, Replayed: false, PaymentId: { } id })
        {
            _charges.Add(id);
        }

        return result;
    }

    public RefundResult Refund(string botId, string paymentId, DateTimeOffset now)
    {
        var result = payments.Refund(botId, paymentId, now);
        if (result.Ok)
        {
            // Refunded within the turn that charged it: nothing is left to void if the turn fails.
            _charges.Remove(paymentId);
        }

        return result;
    }

    public RefundResult Void(string botId, string paymentId, DateTimeOffset now) => payments.Void(botId, paymentId, now);
}
