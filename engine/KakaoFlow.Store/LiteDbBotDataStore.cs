using System.Text.Json;
using KakaoFlow.Hooks;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// A bot's shared key/value data (<c>data</c> in hooks): <c>{_id: "bot␟key", bot, key, value: "json"}</c>
/// in the <c>botdata</c> collection. Kept until a hook deletes it; never swept.
/// </summary>
public sealed partial class LiteDbBotDataStore : IBotDataStore
{
    private readonly ILiteCollection<BsonDocument> _collection;

    internal LiteDbBotDataStore(ILiteCollection<BsonDocument> collection) => _collection = collection;

    public JsonElement? Get(string botId, string key)
    {
        try
        {
            var document = _collection.FindById(StoreNames.IdOf(botId, key));
            return document is not null && document["value"].IsString ? VarsCodec.ReadValue(document["value"].AsString) : null;
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Reading data of bot '{botId}'");
        }
    }

    public void Set(string botId, string key, JsonElement value)
    {
        var document = new BsonDocument
        {
            ["_id"] = StoreNames.IdOf(botId, key),
            ["bot"] = botId,
            ["key"] = key,
            ["value"] = VarsCodec.WriteValue(value),
        };
        try
        {
            _collection.Upsert(document);
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Writing data of bot '{botId}'");
        }
    }

    public bool Delete(string botId, string key)
    {
        try
        {
            return _collection.Delete(StoreNames.IdOf(botId, key));
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Deleting data of bot '{botId}'");
        }
    }

    public IReadOnlyList<string> Keys(string botId)
    {
        try
        {
            return [.. _collection.Find(BsonExpression.Create("$.bot = @0", new BsonValue(botId)))
                .Select(document => document["key"].AsString)
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Listing the data keys of bot '{botId}'");
        }
    }
}
