using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Every key the store uses, under one prefix (docs/scale-out.md lists them). A bot id is the last part of a key, or
/// followed only by a part of fixed form, so no two bots share a key whatever their ids contain.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>Hash: user_key → session JSON.</summary>
    public RedisKey Sessions(string botId) => Key("s:", botId);

    /// <summary>Sorted set: user_key scored by the last message time (ms, −1 for none): the retention sweep's index.</summary>
    public RedisKey SessionTimes(string botId) => Key("st:", botId);

    /// <summary>Hash: user_key → <c>F|added|blocked|changed</c> (B for blocked; times as UTC ticks, empty for none).</summary>
    public RedisKey Friends(string botId) => Key("f:", botId);

    /// <summary>Set: user_keys whose record says friend (<see cref="Storage.IServiceStore.FriendCount"/>).</summary>
    public RedisKey FriendSet(string botId) => Key("fs:", botId);

    /// <summary>Sorted set: user_keys who blocked the bot, scored by the block time (ms): the sweep's index.</summary>
    public RedisKey BlockedTimes(string botId) => Key("fb:", botId);

    /// <summary>Hash: data key → JSON value.</summary>
    public RedisKey BotData(string botId) => Key("d:", botId);

    /// <summary>String: the bot's data size in bytes (keys and JSON texts, UTF-8), kept with every write of <see cref="BotData"/>.</summary>
    public RedisKey BotDataSize(string botId) => Key("ds:", botId);

    /// <summary>Hash: bot id → service state JSON.</summary>
    public RedisKey Services { get; } = prefix + "services";

    /// <summary>String: a random value replaced at every service state write (hosts poll it).</summary>
    public RedisKey ServicesVersion { get; } = prefix + "services:version";

    /// <summary>String: one bot's errors on one Asia/Seoul day, as JSON.</summary>
    public RedisKey ErrorDay(string botId, string day) => Key("e:" + day + ":", botId);

    /// <summary>Sorted set (all scores 0, ordered by name): the days on which the bot has errors.</summary>
    public RedisKey ErrorDays(string botId) => Key("ed:", botId);

    /// <summary>String: the last notification id given out.</summary>
    public RedisKey NotificationSequence { get; } = prefix + "notes:seq";

    /// <summary>Hash: one notification's fields.</summary>
    public RedisKey Notification(long id) => prefix + "note:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sorted set of notification ids (scored by id): all of them.</summary>
    public RedisKey AllNotifications { get; } = prefix + "notes:all";

    /// <summary>Sorted set of notification ids not delivered yet.</summary>
    public RedisKey UndeliveredNotifications { get; } = prefix + "notes:undelivered";

    /// <summary>Sorted set of one bot's notification ids.</summary>
    public RedisKey BotNotifications(string botId) => Key("notes:bot:", botId);

    /// <summary>String with a TTL: the host making one delivery attempt of a notification.</summary>
    public RedisKey DeliveryClaim(long id, int attempt) =>
        prefix + "claim:note:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>String with a TTL: the host that runs a periodic task in the current period.</summary>
    public RedisKey PeriodClaim(string task) => Key("claim:period:", task);

    /// <summary>String with a TTL: the host running a turn of this user now (its token).</summary>
    public string TurnLease(string botId, string userKey) => prefix + "turn:" + userKey.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + userKey + ":" + botId;

    /// <summary>Channel: a turn lease was released (the message is its key).</summary>
    public RedisChannel LeaseReleased { get; } = RedisChannel.Literal(prefix + "turn-released");

    /// <summary>Hash: holder (the SHA-256 of a user_key) → card JSON (billing key, brand, last 4; never a number).</summary>
    public RedisKey Cards(string botId) => Key("pc:", botId);

    /// <summary>String with a TTL until the link expires: a registration link already used.</summary>
    public RedisKey UsedLink(string tokenId) => prefix + "pt:" + tokenId;

    /// <summary>Hash: payment id → payment JSON.</summary>
    public RedisKey Payments(string botId) => Key("p:", botId);

    /// <summary>Sorted set: payment ids scored by their time (ms), for the latest first.</summary>
    public RedisKey PaymentTimes(string botId) => Key("pl:", botId);

    /// <summary>Sorted set: the payment ids of one order, scored by their time (ms).</summary>
    public RedisKey OrderPayments(string botId, string orderId) => Key("po:" + Sized(orderId), botId);

    /// <summary>String with a TTL: the host charging or refunding one order now (its token).</summary>
    public RedisKey OrderLock(string botId, string orderId) => Key("pk:" + Sized(orderId), botId);

    /// <summary>String: the key that signs card registration links, shared by every host.</summary>
    public RedisKey LinkSecret { get; } = prefix + "pay:secret";

    public string Prefix => prefix;

    /// <summary>A part of any content followed by the bot id, unambiguously: its length, then it.</summary>
    private static string Sized(string part) => part.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + part + ":";

    private RedisKey Key(string kind, string botId) => prefix + kind + botId;
}
