using System.Collections.Immutable;
using System.Text.Json;
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

    /// <summary>
    /// The document of a session journal record (<see cref="SessionRecord"/>), read from its JSON without building the
    /// session's objects: the variables are copied as their JSON text. How the flush writes sessions.
    /// </summary>
    /// <exception cref="InvalidDataException">The record is not a session record.</exception>
    internal static BsonDocument FromRecord(string id, string botId, ReadOnlyMemory<byte> record)
    {
        try
        {
            using var json = JsonDocument.Parse(record);
            var root = json.RootElement;
            var document = new BsonDocument
            {
                ["_id"] = id,
                ["bot"] = botId,
                ["step"] = root.GetProperty("step").GetString(),
                ["vars"] = root.GetProperty("vars").GetRawText(),
                ["last"] = root.TryGetProperty("last", out var last) ? new BsonValue(last.GetInt64()) : BsonValue.Null,
                ["version"] = root.TryGetProperty("version", out var version) ? new BsonValue(version.GetString()) : BsonValue.Null,
                ["choice"] = root.TryGetProperty("choice", out var choice) ? ChoiceOfRecord(choice) : BsonValue.Null,
            };
            if (root.TryGetProperty("page", out var page))
            {
                document["page"] = page.GetInt32();
            }

            return document;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException("not a session journal record", e);
        }
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

    private static BsonDocument ChoiceOfRecord(JsonElement choice) => new()
    {
        ["labels"] = new BsonArray(choice.GetProperty("labels").EnumerateArray().Select(label => new BsonValue(label.GetString()))),
        ["save"] = choice.TryGetProperty("save", out var save) ? new BsonValue(save.GetString()) : BsonValue.Null,
        ["next"] = choice.TryGetProperty("next", out var next) ? new BsonValue(next.GetString()) : BsonValue.Null,
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
