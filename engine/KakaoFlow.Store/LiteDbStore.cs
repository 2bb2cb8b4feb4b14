using System.Globalization;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// The host's one LiteDB file: open once per process, shared by every request, disposed on shutdown.
/// </summary>
/// <remarks>
/// <para>
/// Durability, as LiteDB 5.0.21 gives it: every Insert/Update/Upsert/Delete made outside an explicit
/// transaction is its own transaction, committed to the <c>-log</c> file (write-ahead log) before the
/// call returns, but <b>without fsync</b> (LiteDB issue #2818). A committed write therefore survives a
/// killed process (the OS still holds the pages and the log is replayed on the next open) but not a
/// power loss or an OS crash. We accept that: the host acknowledges a reply only after the session write
/// returned, so "acknowledged" means "in the log file, safe against a crash of this process". Promising
/// power-loss safety would need an fsync of the log per turn, which LiteDB does not expose.
/// </para>
/// <para>
/// Other LiteDB 5.0.21 rules followed here: one <see cref="LiteDatabase"/> per file (direct connection);
/// collections and indexes are created in the constructor, never lazily by concurrent requests (racy in
/// 5.0.21); documents are mapped by hand and the database gets its own <see cref="BsonMapper"/> instance,
/// never <see cref="BsonMapper.Global"/> (racy before 5.0.22); no explicit transaction spans a turn (they are
/// bound to a thread, and one would hold the collection's write lock across every user). Explicit transactions are
/// short and synchronous: the session group commit (<see cref="SessionCommitQueue"/>: a dedicated thread upserts the
/// turns' session documents that queued up together and commits them at once; each turn is acknowledged only after
/// that commit returned, so "acknowledged" still means "in the log file"), and the state-change + outbox writes of
/// <see cref="LiteDbServiceStore"/>.
/// The checkpoint (log → data file) runs on <see cref="Dispose"/>.
/// </para>
/// </remarks>
public sealed class LiteDbStore : IDisposable
{
    private static readonly Collation OrdinalCollation = new(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);

    private readonly LiteDatabase _database;
    private readonly SessionCommitQueue _sessionCommits;

    public LiteDbStore(string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        FileName = Path.GetFullPath(fileName);
        var directory = Path.GetDirectoryName(FileName);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new ConnectionString
        {
            Filename = FileName,
            Connection = ConnectionType.Direct,
            // Keys (user_keys, bot ids, data keys) are opaque, case-sensitive strings: compare them ordinally. LiteDB's
            // default collation (current culture, IgnoreCase) made "AbC" and "abc" one user, and its culture-aware
            // comparisons were the largest CPU cost of every index lookup under load (issue 8). LiteDB stores the
            // collation in the file when it creates it: files made before keep theirs (and stay readable).
            Collation = OrdinalCollation,
        };
        _database = new LiteDatabase(connection, new BsonMapper());

        var sessions = _database.GetCollection(StoreNames.Sessions);
        sessions.EnsureIndex("bot", "$.bot");
        sessions.EnsureIndex("last", "$.last");
        var friends = _database.GetCollection(StoreNames.Friends);
        friends.EnsureIndex("bot", "$.bot");
        var botData = _database.GetCollection(StoreNames.BotData);
        botData.EnsureIndex("bot", "$.bot");

        _sessionCommits = new SessionCommitQueue(_database, sessions);
        Sessions = new LiteDbSessionStore(sessions, _sessionCommits);
        Friends = new LiteDbFriendStore(friends);
        BotData = new LiteDbBotDataStore(botData);
        Services = new LiteDbServiceStore(_database);
    }

    public string FileName { get; }

    public ISessionStore Sessions { get; }

    public IFriendStore Friends { get; }

    public LiteDbBotDataStore BotData { get; }

    /// <summary>Service states, daily error counts and the notification outbox.</summary>
    public LiteDbServiceStore Services { get; }

    /// <summary>Commits the queued session writes, then checkpoints and closes the file.</summary>
    public void Dispose()
    {
        _sessionCommits.Dispose();
        _database.Dispose();
    }
}
