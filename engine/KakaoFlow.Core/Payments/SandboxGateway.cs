using System.Security.Cryptography;

namespace KakaoFlow.Payments;

/// <summary>
/// The built-in test gateway: no network, no money. Like the test modes of card gateways it decides by card number:
/// <c>4242 4242 4242 4242</c> approves, <c>4000 0000 0000 0002</c> is declined, <c>4000 0000 0000 9995</c> has
/// insufficient funds, and any other Luhn-valid number approves. The decision is written into the billing key when the
/// card is registered (<c>sbx_ok_…</c>, <c>sbx_declined_…</c>, <c>sbx_nsf_…</c>), so the number is not needed, nor kept,
/// to charge it later.
/// </summary>
public sealed class SandboxGateway : ICardGateway
{
    public const string Approves = "4242424242424242";
    public const string Declines = "4000000000000002";
    public const string InsufficientFunds = "4000000000009995";

    public string Name => "sandbox";

    public CardRegistration Register(CardDetails card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var kind = card.Number switch
        {
            Declines => "declined",
            InsufficientFunds => "nsf",
            _ => "ok",
        };
        return new CardRegistration($"sbx_{kind}_{Random(12)}", CardNumbers.Brand(card.Number), CardNumbers.Last4(card.Number), null);
    }

    public GatewayResult Charge(string billingKey, long amount, string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(billingKey);
        return billingKey switch
        {
            _ when billingKey.StartsWith("sbx_ok_", StringComparison.Ordinal) => new(ChargeOutcome.Approved, "sbx_pay_" + Random(12), null),
            _ when billingKey.StartsWith("sbx_declined_", StringComparison.Ordinal) => new(ChargeOutcome.Declined, null, "카드사에서 결제를 거절했어요."),
            _ when billingKey.StartsWith("sbx_nsf_", StringComparison.Ordinal) => new(ChargeOutcome.InsufficientFunds, null, "카드 잔액(한도)이 부족해요."),
            _ => new(ChargeOutcome.Failed, null, "이 결제 수단은 테스트 결제에서 쓸 수 없어요."),
        };
    }

    public GatewayResult Refund(string gatewayPaymentId, long amount, string idempotencyKey) =>
        new(ChargeOutcome.Approved, gatewayPaymentId, null);

    private static string Random(int length) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(length / 2));
}
