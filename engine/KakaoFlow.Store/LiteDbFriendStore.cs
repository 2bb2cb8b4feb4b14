using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Friend records: <c>{_id: "bot␟user_key", bot, state: "friend"|"blocked", added: utcTicks|null, blocked: utcTicks|null, changed: utcTicks}</c>.
/// </summary>
internal sealed class LiteDbFriendStore(LiteDbFile file) : IFriendStore
{
    private const string FriendValue = "friend";
    private const string BlockedValue = "blocked";

    public FriendRecord? Find(string botId, string userKey)
    {
        var document = file.Read($"Reading a friend record of bot '{botId}'", database => database.Friends.FindExactly(StoreNames.IdOf(botId, userKey), database.Collation));
        return document is null ? null : FromDocument(document);
    }

    public FriendRecord MarkAdded(string botId, string userKey, DateTimeOffset at)
    {
        // The latest add replaces the add time; an earlier block time is kept as history.
        var previous = Find(botId, userKey);
        return Write(botId, userKey, new FriendRecord(FriendState.Friend, at, previous?.BlockedAt, at));
    }

    public FriendRecord MarkBlocked(string botId, string userKey, DateTimeOffset at)
    {
        var previous = Find(botId, userKey);
        return Write(botId, userKey, new FriendRecord(FriendState.Blocked, previous?.AddedAt, at, at));
    }

    public int DeleteBlockedSince(string botId, DateTimeOffset cutoff) =>
        file.Write($"Deleting the blocked friend records of bot '{botId}'", StoreNames.Friends, friends =>
            friends.DeleteMany("$.bot = @0 AND $.state = @1 AND $.changed < @2", new BsonValue(botId), new BsonValue(BlockedValue), new BsonValue(cutoff.UtcTicks)));

    private FriendRecord Write(string botId, string userKey, FriendRecord record)
    {
        var document = ToDocument(botId, userKey, record);
        file.Write($"Writing a friend record of bot '{botId}'", StoreNames.Friends, friends => friends.Upsert(document));
        return record;
    }

    private static BsonDocument ToDocument(string botId, string userKey, FriendRecord record) => new()
    {
        ["_id"] = StoreNames.IdOf(botId, userKey),
        ["bot"] = botId,
        ["state"] = record.State == FriendState.Blocked ? BlockedValue : FriendValue,
        ["added"] = Ticks(record.AddedAt),
        ["blocked"] = Ticks(record.BlockedAt),
        ["changed"] = record.ChangedAt.UtcTicks,
    };

    private static FriendRecord FromDocument(BsonDocument document) => new(
        document["state"].IsString && document["state"].AsString == BlockedValue ? FriendState.Blocked : FriendState.Friend,
        Time(document["added"]),
        Time(document["blocked"]),
        Time(document["changed"]) ?? DateTimeOffset.MinValue);

    private static BsonValue Ticks(DateTimeOffset? at) => at is { } value ? new BsonValue(value.UtcTicks) : BsonValue.Null;

    private static DateTimeOffset? Time(BsonValue value) => value.IsInt64 ? new DateTimeOffset(value.AsInt64, TimeSpan.Zero) : null;
}
