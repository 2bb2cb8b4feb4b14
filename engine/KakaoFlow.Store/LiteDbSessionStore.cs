using System.Collections.Immutable;
using KakaoFlow.Runtime;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Sessions as hand-mapped documents:
/// <c>{_id: "bot␟user_key", bot, step, vars: "{json}", last: utcTicks|null, version, choice: {labels, save, next}|null}</c>.
/// Times are UTC ticks (exact round trip, no local-time conversion); variables are their JSON text.
/// </summary>
internal sealed class LiteDbSessionStore(ILiteCollection<BsonDocument> collection, SessionCommitQueue commits) : ISessionStore
{
    public Session? Find(string botId, string userKey)
    {
        var document = collection.FindById(StoreNames.IdOf(botId, userKey));
        return document is null ? null : FromDocument(document);
    }

    public void Save(string botId, string userKey, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var id = StoreNames.IdOf(botId, userKey);
        collection.Upsert(ToDocument(id, botId, session));
    }

    /// <summary>Group-committed with the other turns' writes (see <see cref="SessionCommitQueue"/>); same durability as <see cref="Save"/>.</summary>
    public Task SaveAsync(string botId, string userKey, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return commits.UpsertAsync(ToDocument(StoreNames.IdOf(botId, userKey), botId, session));
    }

    public bool Delete(string botId, string userKey) => collection.Delete(StoreNames.IdOf(botId, userKey));

    public int DeleteInactiveSince(string botId, DateTimeOffset cutoff) =>
        collection.DeleteMany("$.bot = @0 AND $.last < @1", new BsonValue(botId), new BsonValue(cutoff.UtcTicks));

    public int Count(string botId) => collection.Count(BsonExpression.Create("$.bot = @0", new BsonValue(botId)));

    internal static BsonDocument ToDocument(string id, string botId, Session session)
    {
        var document = new BsonDocument
        {
            ["_id"] = id,
            ["bot"] = botId,
            ["step"] = session.StepId,
            ["vars"] = VarsCodec.Write(session.Vars),
            ["last"] = session.LastMessageAt is { } last ? new BsonValue(last.UtcTicks) : BsonValue.Null,
            ["version"] = session.FlowVersion is { } version ? new BsonValue(version) : BsonValue.Null,
            ["choice"] = session.Choice is { } choice ? ChoiceToDocument(choice) : BsonValue.Null,
        };
        return document;
    }

    /// <exception cref="InvalidDataException">The stored variables are not a JSON object.</exception>
    internal static Session FromDocument(BsonDocument document)
    {
        var last = document["last"];
        var version = document["version"];
        var choice = document["choice"];
        return new Session
        {
            StepId = document["step"].IsString ? document["step"].AsString : Session.HomeStepId,
            Vars = document["vars"].IsString ? VarsCodec.Read(document["vars"].AsString) : Session.New.Vars,
            LastMessageAt = last.IsInt64 ? new DateTimeOffset(last.AsInt64, TimeSpan.Zero) : null,
            FlowVersion = version.IsString ? version.AsString : null,
            Choice = choice.IsDocument ? ChoiceFromDocument(choice.AsDocument) : null,
        };
    }

    private static BsonDocument ChoiceToDocument(DynamicChoice choice) => new()
    {
        ["labels"] = new BsonArray(choice.Labels.Select(label => new BsonValue(label))),
        ["save"] = choice.SaveAs is { } save ? new BsonValue(save) : BsonValue.Null,
        ["next"] = choice.Next is { } next ? new BsonValue(next) : BsonValue.Null,
    };

    private static DynamicChoice ChoiceFromDocument(BsonDocument document)
    {
        var labels = document["labels"].IsArray
            ? document["labels"].AsArray.Where(value => value.IsString).Select(value => value.AsString).ToImmutableArray()
            : [];
        var save = document["save"];
        var next = document["next"];
        return new DynamicChoice(labels, save.IsString ? save.AsString : null, next.IsString ? next.AsString : null);
    }
}
