namespace KakaoFlow.Payments;

/// <summary>
/// <c>pay</c> in hooks (docs/commerce.md): what one bot may do with its users' cards. The host implements it with
/// <see cref="PaymentService"/>; users are named by their user_key here and hashed before anything is kept.
/// </summary>
public interface IHookPayments
{
    /// <summary>An absolute link to the card registration page for this user and bot, valid <see cref="RegistrationTokens.Lifetime"/>.</summary>
    string RegisterUrl(string botId, string userKey, DateTimeOffset now);

    CardSummary? Card(string botId, string userKey);

    bool RemoveCard(string botId, string userKey);

    /// <summary>Charges the user's card; idempotent per <paramref name="orderId"/> (see <see cref="PaymentService.Charge"/>).</summary>
    ChargeResult Charge(string botId, string userKey, double amount, string orderId, DateTimeOffset now);

    /// <summary>Refunds an approved payment of the bot in full, once.</summary>
    RefundResult Refund(string botId, string paymentId, DateTimeOffset now);

    /// <summary>Refunds a charge made by a turn that then failed: its order does not exist (code <c>turn_failed</c>).</summary>
    RefundResult Void(string botId, string paymentId, DateTimeOffset now);
}

/// <summary>What <c>pay.card()</c> shows: the card network and the last 4 digits.</summary>
public sealed record CardSummary(string Brand, string Last4);

/// <summary><c>{ ok: true, paymentId, amount }</c> or <c>{ ok: false, code, message }</c>.</summary>
public sealed record ChargeResult(bool Ok, string? PaymentId, long Amount, string? Code, string? Message)
{
    /// <summary>True when the order was charged before and this is that first result again (no money moved now).</summary>
    public bool Replayed { get; init; }
}

/// <summary><c>{ ok: true }</c> or <c>{ ok: false, code, message }</c>.</summary>
public sealed record RefundResult(bool Ok, string? Code, string? Message);
