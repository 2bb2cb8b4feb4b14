using System.Text.Json;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// A bot's shared key/value data (<c>data</c> in hooks): <c>{_id: "bot␟key", bot, key, value: "json"}</c>
/// in the <c>botdata</c> collection. Kept until a hook deletes it; never swept.
/// </summary>
public sealed class LiteDbBotDataStore : IBotDataStore
{
    private readonly LiteDbFile _file;

    internal LiteDbBotDataStore(LiteDbFile file) => _file = file;

    public JsonElement? Get(string botId, string key)
    {
        var document = _file.Read($"Reading data of bot '{botId}'", database => database.BotData.FindById(StoreNames.IdOf(botId, key)));
        return document is not null && document["value"].IsString ? VarsCodec.ReadValue(document["value"].AsString) : null;
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
        _file.Write($"Writing data of bot '{botId}'", StoreNames.BotData, data => data.Upsert(document));
    }

    public bool Delete(string botId, string key) =>
        _file.Write($"Deleting data of bot '{botId}'", StoreNames.BotData, data => data.Delete(StoreNames.IdOf(botId, key)));

    public IReadOnlyList<string> Keys(string botId) =>
        _file.Read($"Listing the data keys of bot '{botId}'", database =>
            database.BotData.Find(BsonExpression.Create("$.bot = @0", new BsonValue(botId)))
                .Select(document => document["key"].AsString)
                .Order(StringComparer.Ordinal)
                .ToList());
}
