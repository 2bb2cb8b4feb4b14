using System.Collections.Immutable;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Sessions as hand-mapped documents:
/// <c>{_id: "bot␟user_key", bot, step, vars: "{json}", last: utcTicks|null, version, choice: {labels, save, next}|null, page?}</c>
/// (<c>page</c> only when it is not 0).
/// Times are UTC ticks (exact round trip, no local-time conversion); variables are their JSON text. The same
/// document, BSON-serialised, is the session journal's record (see <see cref="SessionJournal"/>).
/// </summary>
internal static class SessionDocuments
{
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
        if (session.Page != 0)
        {
            document["page"] = session.Page;
        }

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
            Page = document["page"].IsInt32 ? document["page"].AsInt32 : 0,
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
