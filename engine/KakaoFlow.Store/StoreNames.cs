using KakaoFlow.Storage;

namespace KakaoFlow.Store;

/// <summary>Collection and field names in the LiteDB file. Changing one is a data migration.</summary>
internal static class StoreNames
{
    public const string Sessions = "sessions";
    public const string Friends = "friends";
    public const string BotData = "botdata";

    // The service lifecycle (docs/design.md, "Runtime state"): errors per bot and day, service state per bot,
    // the notification outbox. See LiteDbServiceStore.
    public const string Errors = "errors";
    public const string Services = "services";
    public const string Notifications = "notifications";

    /// <summary>
    /// How many sessions each bot has stored (<c>{ _id: bot, n }</c>), changed in the transaction that changes them: a
    /// count without reading the sessions (LiteDbSessionStore).
    /// </summary>
    public const string SessionCounts = "sessioncounts";

    /// <summary>The store's own bookkeeping: the document the flusher writes to see whether the file takes writes again.</summary>
    public const string Store = "store";

    /// <summary>
    /// The separator of composite ids (<c>bot␟user_key</c>). Bot ids are folder names and the host
    /// refuses user_keys with control characters, so it cannot occur inside either part.
    /// </summary>
    public const char Separator = '\u001f';

    public static string IdOf(string botId, string key) => string.Concat(botId, Separator.ToString(), key);
}
