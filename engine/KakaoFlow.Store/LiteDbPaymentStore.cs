using KakaoFlow.Payments;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Cards and payments (docs/commerce.md) in the host's LiteDB file:
/// <list type="bullet">
/// <item><c>cards</c>: <c>{_id: "bot␟holder", bot, holder, gateway, key, brand, last4, at: utcTicks, token}</c> (holder: the
/// SHA-256 of the user_key; key: the gateway's billing key; never a card number)</item>
/// <item><c>card_tokens</c>: <c>{_id: tokenId, expires: utcTicks}</c>: registration links already used (forgotten once expired)</item>
/// <item><c>payments</c>: <c>{_id: "bot␟paymentId", bot, payment, order: "bot␟orderId", order_id, user, amount, brand,
/// last4, state, at: utcTicks, code, gw, refunded: utcTicks|null}</c> (user: the 12-digit user tag)</item>
/// </list>
/// </summary>
public sealed class LiteDbPaymentStore : IPaymentStore
{
    private const string Cards = "cards";
    private const string UsedTokens = "card_tokens";
    private const string PaymentsCollection = "payments";

    private readonly LiteDbFile _file;

    internal LiteDbPaymentStore(LiteDbFile file)
    {
        _file = file;

        // Created at start-up, never lazily by concurrent requests (racy in LiteDB 5.0.21).
        _file.Prepare("Preparing the payment collections", database =>
        {
            database.Engine.GetCollection(Cards).EnsureIndex("bot", "$.bot");
            database.Engine.GetCollection(UsedTokens).EnsureIndex("expires", "$.expires");
            var payments = database.Engine.GetCollection(PaymentsCollection);
            payments.EnsureIndex("bot", "$.bot");
            payments.EnsureIndex("order", "$.order");
        });
    }

    public CardRecord? FindCard(string botId, string holder) =>
        _file.Read($"Reading a card of bot '{botId}'", database =>
            database.Engine.GetCollection(Cards).FindExactly(StoreNames.IdOf(botId, holder), database.Collation) is { } d ? CardFrom(d) : null);

    /// <summary>The token and the card in one transaction; expired tokens are forgotten on the way.</summary>
    public bool RegisterCard(CardRecord card, string tokenId, DateTimeOffset tokenExpiresAt)
    {
        ArgumentNullException.ThrowIfNull(card);
        return _file.Transaction($"Registering a card for bot '{card.BotId}'", database =>
        {
            var tokens = database.Engine.GetCollection(UsedTokens);
            if (tokens.FindExactly(tokenId, database.Collation) is not null)
            {
                return false;
            }

            tokens.DeleteMany(Query.LT("expires", card.RegisteredAt.UtcTicks));
            tokens.Insert(new BsonDocument { ["_id"] = tokenId, ["expires"] = tokenExpiresAt.UtcTicks });
            database.Engine.GetCollection(Cards).Upsert(new BsonDocument
            {
                ["_id"] = StoreNames.IdOf(card.BotId, card.Holder),
                ["bot"] = card.BotId,
                ["holder"] = card.Holder,
                ["gateway"] = card.Gateway,
                ["key"] = card.BillingKey,
                ["brand"] = card.Brand,
                ["last4"] = card.Last4,
                ["at"] = card.RegisteredAt.UtcTicks,
                ["token"] = tokenId,
            });
            return true;
        });
    }

    public bool DeleteCard(string botId, string holder) =>
        _file.Transaction($"Deleting a card of bot '{botId}'", database => database.Engine.GetCollection(Cards).Delete(StoreNames.IdOf(botId, holder)));

    public void SavePayment(PaymentRecord payment)
    {
        ArgumentNullException.ThrowIfNull(payment);
        _file.Transaction($"Writing a payment of bot '{payment.BotId}'", database => database.Engine.GetCollection(PaymentsCollection).Upsert(new BsonDocument
        {
            ["_id"] = StoreNames.IdOf(payment.BotId, payment.PaymentId),
            ["bot"] = payment.BotId,
            ["payment"] = payment.PaymentId,
            ["order"] = StoreNames.IdOf(payment.BotId, payment.OrderId),
            ["order_id"] = payment.OrderId,
            ["user"] = payment.User,
            ["amount"] = payment.Amount,
            ["brand"] = payment.Brand,
            ["last4"] = payment.Last4,
            ["state"] = payment.State.ToString(),
            ["at"] = payment.At.UtcTicks,
            ["code"] = payment.Code is null ? BsonValue.Null : payment.Code,
            ["gw"] = payment.GatewayPaymentId is null ? BsonValue.Null : payment.GatewayPaymentId,
            ["refunded"] = payment.RefundedAt is { } refunded ? refunded.UtcTicks : BsonValue.Null,
        }));
    }

    public PaymentRecord? FindPayment(string botId, string paymentId) =>
        _file.Read($"Reading a payment of bot '{botId}'", database =>
            database.Engine.GetCollection(PaymentsCollection).FindExactly(StoreNames.IdOf(botId, paymentId), database.Collation) is { } d ? PaymentFrom(d) : null);

    public IReadOnlyList<PaymentRecord> PaymentsOfOrder(string botId, string orderId) =>
        _file.Read($"Reading the payments of an order of bot '{botId}'", database => (IReadOnlyList<PaymentRecord>)[..
            database.Engine.GetCollection(PaymentsCollection).Find(Query.EQ("order", StoreNames.IdOf(botId, orderId))).Select(PaymentFrom).OrderBy(p => p.At)]);

    public IReadOnlyList<PaymentRecord> Payments(string botId, int max) =>
        _file.Read($"Listing the payments of bot '{botId}'", database => (IReadOnlyList<PaymentRecord>)[..
            database.Engine.GetCollection(PaymentsCollection).Find(Query.EQ("bot", botId)).Select(PaymentFrom).OrderByDescending(p => p.At).Take(max)]);

    private static CardRecord CardFrom(BsonDocument d) => new(
        d["bot"].AsString, d["holder"].AsString, d["gateway"].AsString, d["key"].AsString, d["brand"].AsString, d["last4"].AsString, Time(d["at"])!.Value)
    {
        RegisteredWith = d["token"].IsString ? d["token"].AsString : null,
    };

    private static PaymentRecord PaymentFrom(BsonDocument d) => new(
        d["bot"].AsString,
        d["payment"].AsString,
        d["order_id"].AsString,
        d["user"].AsString,
        d["amount"].AsInt64,
        d["brand"].AsString,
        d["last4"].AsString,
        Enum.Parse<PaymentState>(d["state"].AsString),
        Time(d["at"])!.Value)
    {
        Code = d["code"].IsString ? d["code"].AsString : null,
        GatewayPaymentId = d["gw"].IsString ? d["gw"].AsString : null,
        RefundedAt = Time(d["refunded"]),
    };

    private static DateTimeOffset? Time(BsonValue value) => value.IsNumber ? new DateTimeOffset(value.AsInt64, TimeSpan.Zero) : null;
}
