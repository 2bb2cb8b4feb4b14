namespace KakaoFlow.Payments;

/// <summary>
/// The card network side of payments, billing-key style: a card is registered once and becomes an opaque billing key;
/// later charges name the key, never the card. <see cref="SandboxGateway"/> is the one implementation; what a real
/// gateway's adapter must do is in docs/commerce.md ("A real gateway").
/// </summary>
/// <remarks>
/// Contract for every implementation: thread-safe; the card number goes no further than <see cref="Register"/> (not
/// logged, not kept, not in an exception message); <see cref="Charge"/> and <see cref="Refund"/> send
/// <c>idempotencyKey</c> to the gateway so that a call repeated after a timeout moves money once; a network or gateway
/// failure is an <see cref="ChargeOutcome.Failed"/> outcome (never an exception) whose message a customer may see.
/// </remarks>
public interface ICardGateway
{
    /// <summary>Short name shown in the admin output and the logs (<c>sandbox</c>).</summary>
    string Name { get; }

    /// <summary>Turns a card into a billing key (the gateway keeps the card; we keep the key, brand and last 4).</summary>
    CardRegistration Register(CardDetails card);

    /// <summary>Charges <paramref name="amount"/> won to the card behind <paramref name="billingKey"/>.</summary>
    GatewayResult Charge(string billingKey, long amount, string idempotencyKey);

    /// <summary>Gives back the whole of an approved charge.</summary>
    GatewayResult Refund(string gatewayPaymentId, long amount, string idempotencyKey);
}

/// <summary>
/// A card as typed on the registration page, on its way to <see cref="ICardGateway.Register"/>. Its text form never
/// shows the number (so a log line or an exception that prints it leaks nothing).
/// </summary>
public sealed class CardDetails(string number, int expiryMonth, int expiryYear, string holder)
{
    /// <summary>The digits only.</summary>
    public string Number { get; } = number;

    public int ExpiryMonth { get; } = expiryMonth;

    /// <summary>Four digits.</summary>
    public int ExpiryYear { get; } = expiryYear;

    public string Holder { get; } = holder;

    public override string ToString() => $"card ****{CardNumbers.Last4(Number)}";
}

/// <summary>What <see cref="ICardGateway.Register"/> answered: a billing key, or why the card was refused.</summary>
public sealed record CardRegistration(string? BillingKey, string Brand, string Last4, string? Refusal)
{
    public bool Ok => BillingKey is not null;
}

public enum ChargeOutcome
{
    Approved,
    Declined,
    InsufficientFunds,

    /// <summary>The gateway could not be reached or answered with an error: no money moved.</summary>
    Failed,
}

/// <summary>What a charge or refund came to at the gateway, with the gateway's own id of the payment.</summary>
public sealed record GatewayResult(ChargeOutcome Outcome, string? GatewayPaymentId, string? Message);
