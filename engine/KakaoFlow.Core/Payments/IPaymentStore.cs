namespace KakaoFlow.Payments;

/// <summary>
/// Registered cards and every charge attempt, per bot. Users appear only as hashes (<see cref="PaymentUsers"/>), never
/// as their user_key; a card appears only as its billing key, brand and last 4 digits, never its number. Thread-safe;
/// storage failures are thrown as <see cref="Storage.StoreException"/>. The in-memory and LiteDB stores implement it; a
/// store that does not leaves <c>pay</c> unavailable to hooks (docs/commerce.md).
/// </summary>
public interface IPaymentStore
{
    /// <summary>The card of a user (<see cref="PaymentUsers.Holder"/>) of a bot.</summary>
    CardRecord? FindCard(string botId, string holder);

    /// <summary>
    /// Keeps <paramref name="card"/> as the user's card (replacing an earlier one) and marks the registration token
    /// <paramref name="tokenId"/> used, at once; false, and nothing written, when that token was used already.
    /// A used token may be forgotten after <paramref name="tokenExpiresAt"/>.
    /// </summary>
    bool RegisterCard(CardRecord card, string tokenId, DateTimeOffset tokenExpiresAt);

    bool DeleteCard(string botId, string holder);

    /// <summary>Inserts a payment, or replaces the one with its <see cref="PaymentRecord.PaymentId"/>.</summary>
    void SavePayment(PaymentRecord payment);

    PaymentRecord? FindPayment(string botId, string paymentId);

    /// <summary>Every attempt to charge one order, oldest first.</summary>
    IReadOnlyList<PaymentRecord> PaymentsOfOrder(string botId, string orderId);

    /// <summary>The bot's latest payments, newest first.</summary>
    IReadOnlyList<PaymentRecord> Payments(string botId, int max);
}

/// <summary>A registered card: the gateway's billing key, the brand and last 4 digits shown to the user.</summary>
public sealed record CardRecord(string BotId, string Holder, string Gateway, string BillingKey, string Brand, string Last4, DateTimeOffset RegisteredAt)
{
    /// <summary>The id of the registration link that registered it (so the page can tell that link is spent).</summary>
    public string? RegisteredWith { get; init; }
}

public enum PaymentState
{
    Approved,
    Declined,
    Refunded,
}

/// <summary>
/// One charge attempt. <see cref="User"/> is the user's tag (<see cref="PaymentUsers.Tag"/>, as in the logs).
/// <see cref="Code"/> says why a charge was declined (<c>declined</c>, <c>insufficient_funds</c>, <c>gateway_error</c>)
/// or, for a refund the host made itself, <c>turn_failed</c>: the turn that charged did not complete, so its order does
/// not exist and its id may be charged again.
/// </summary>
public sealed record PaymentRecord(
    string BotId,
    string PaymentId,
    string OrderId,
    string User,
    long Amount,
    string Brand,
    string Last4,
    PaymentState State,
    DateTimeOffset At)
{
    public string? Code { get; init; }

    /// <summary>The gateway's id of an approved charge (needed to refund it).</summary>
    public string? GatewayPaymentId { get; init; }

    public DateTimeOffset? RefundedAt { get; init; }

    /// <summary>Refunded by the host because the turn that charged failed (<see cref="Code"/> <c>turn_failed</c>).</summary>
    public bool Voided => State == PaymentState.Refunded && Code == PaymentCodes.TurnFailed;
}

/// <summary>The result codes of <c>pay.charge</c> and <c>pay.refund</c> (docs/commerce.md).</summary>
public static class PaymentCodes
{
    public const string NoCard = "no_card";
    public const string Declined = "declined";
    public const string InsufficientFunds = "insufficient_funds";
    public const string InvalidAmount = "invalid_amount";
    public const string OrderMismatch = "order_mismatch";
    public const string GatewayError = "gateway_error";
    public const string UnknownPayment = "unknown_payment";
    public const string AlreadyRefunded = "already_refunded";
    public const string NotApproved = "not_approved";
    public const string TurnFailed = "turn_failed";
}
