using System.Globalization;
using KakaoFlow.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Store;

/// <summary>
/// The host's one LiteDB file: open once per process, shared by every request, disposed on shutdown. Its stores are
/// <see cref="Sessions"/>, <see cref="Friends"/>, <see cref="BotData"/> and <see cref="Services"/>; each throws
/// <see cref="StoreException"/> for storage failures, never LiteDB's own exceptions.
/// </summary>
/// <remarks>
/// <para>
/// Durability, as LiteDB 5.0.21 gives it: every Insert/Update/Upsert/Delete made outside an explicit
/// transaction is its own transaction, committed to the <c>-log</c> file (write-ahead log) before the
/// call returns, but <b>without fsync</b> (LiteDB issue #2818). A committed write therefore survives a
/// killed process (the OS still holds the pages and the log is replayed on the next open) but not a
/// power loss or an OS crash. We accept that, and hold session writes to the same standard: a turn is
/// acknowledged once its session is in the session journal (<see cref="SessionJournal"/>, also written
/// to the OS without fsync), which this constructor replays into LiteDB when a killed process left segments
/// behind. Promising power-loss safety would need an fsync per group of turns; neither file gets one
/// (docs/serving.md, "Durability").
/// </para>
/// <para>
/// Other LiteDB 5.0.21 rules followed here: one <see cref="LiteDatabase"/> per file (direct connection);
/// collections and indexes are created in the constructor, never lazily by concurrent requests (racy in
/// 5.0.21); documents are mapped by hand and the database gets its own <see cref="BsonMapper"/> instance,
/// never <see cref="BsonMapper.Global"/> (racy before 5.0.22); no explicit transaction spans a turn (they are
/// bound to a thread, and one would hold the collection's write lock across every user). Explicit transactions are
/// short and synchronous: the session flush (<see cref="JournaledSessionStore"/> hands the sessions the journal holds,
/// a user's latest only, to <see cref="LiteDbSessionStore"/>, which commits them at once), the journal replay at open,
/// and the state-change + outbox writes of <see cref="LiteDbServiceStore"/>.
/// The checkpoint (log → data file) runs on <see cref="Dispose"/>.
/// </para>
/// </remarks>
public sealed class LiteDbStore : IDisposable
{
    private static readonly Collation OrdinalCollation = new(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);

    private readonly LiteDatabase _database;
    private readonly JournaledSessionStore _sessions;

    /// <param name="fileName">The LiteDB file; the session journal's segments are written next to it.</param>
    /// <param name="sessionOptions">Write buffering and cache size of the session store; defaults when null.</param>
    /// <param name="logger">Told about a journal replay at open and about failed background flushes; none when null.</param>
    /// <exception cref="StoreException">The file cannot be opened (<see cref="StoreUnavailableException"/> when the
    /// cause is I/O or permissions).</exception>
    public LiteDbStore(string fileName, SessionStoreOptions? sessionOptions = null, ILogger<LiteDbStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        FileName = Path.GetFullPath(fileName);
        var options = sessionOptions ?? new SessionStoreOptions();
        if (logger is not null)
        {
            var flushFailed = options.FlushFailed;
            options = options with
            {
                FlushFailed = e =>
                {
                    StoreLog.SessionFlushFailed(logger, e);
                    flushFailed?.Invoke(e);
                },
            };
        }

        try
        {
            _database = OpenDatabase(FileName);
            _sessions = OpenSessions(options);
            var friends = _database.GetCollection(StoreNames.Friends);
            friends.EnsureIndex("bot", "$.bot");
            var botData = _database.GetCollection(StoreNames.BotData);
            botData.EnsureIndex("bot", "$.bot");
            Friends = new LiteDbFriendStore(friends);
            BotData = new LiteDbBotDataStore(botData) { Database = _database };
            Services = new LiteDbServiceStore(_database);
            Payments = new LiteDbPaymentStore(_database);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing of a half-opened store may outlive it: the flusher thread, the journal, LiteDB's file lock.
            _sessions?.Dispose();
            _database?.Dispose();
            throw OpenFailed(e);
        }

        if (logger is not null && RecoveredSessionWrites + UnreadableJournalRecords > 0)
        {
            StoreLog.SessionJournalReplayed(logger, RecoveredSessionWrites, UnreadableJournalRecords);
        }
    }

    public string FileName { get; }

    public ISessionStore Sessions => _sessions;

    /// <summary>Session writes replayed from the journal at open: those a killed process had acknowledged but not flushed.</summary>
    public int RecoveredSessionWrites { get; private set; }

    /// <summary>Complete journal records that were not session writes this version can read; skipped at open.</summary>
    public int UnreadableJournalRecords { get; private set; }

    /// <summary>Sessions held in memory by the session store now.</summary>
    public int CachedSessions => _sessions.CachedCount;

    public IFriendStore Friends { get; }

    public LiteDbBotDataStore BotData { get; }

    /// <summary>Service states, daily error counts and the notification outbox.</summary>
    public LiteDbServiceStore Services { get; }

    /// <summary>Registered cards (billing keys, never numbers) and every charge attempt (docs/commerce.md).</summary>
    public LiteDbPaymentStore Payments { get; }

    /// <summary>Writes every acknowledged session to LiteDB now and deletes the journal segments that held them.</summary>
    /// <exception cref="StoreException">The write or the deletion failed; the sessions stay in the journal and dirty.</exception>
    public void FlushSessions() => _sessions.Flush();

    /// <summary>Writes the queued and buffered session writes to LiteDB, then checkpoints and closes the file.</summary>
    public void Dispose()
    {
        try
        {
            try
            {
                _sessions.Dispose();
            }
            finally
            {
                _database.Dispose();
            }
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Closing the data file '{FileName}'");
        }
    }

    /// <summary>
    /// Any failure to open is a <see cref="StoreException"/>: LiteDB reports a file that is not one of its databases with
    /// whatever its header parsing happened to throw (an <see cref="ArgumentOutOfRangeException"/>, say).
    /// </summary>
    private StoreException OpenFailed(Exception exception)
    {
        var cause = exception is StoreException { InnerException: { } inner } ? inner : exception;
        var what = $"Opening the data file '{FileName}'";
        return StoreErrors.IsStorageFailure(cause)
            ? StoreErrors.Translate(cause, what)
            : new StoreException($"{what} failed: it is not a LiteDB data file this version can read, or it is damaged ({cause.Message})", cause);
    }

    /// <summary>Opens (or creates) the file the way every LiteDB store of ours needs it: direct connection, ordinal keys, own mapper.</summary>
    internal static LiteDatabase OpenDatabase(string fileName)
    {
        var directory = Path.GetDirectoryName(fileName);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new ConnectionString
        {
            Filename = fileName,
            Connection = ConnectionType.Direct,
            // Keys (user_keys, bot ids, data keys) are opaque, case-sensitive strings: compare them ordinally. LiteDB's
            // default collation (current culture, IgnoreCase) would make "AbC" and "abc" one user, and culture-aware
            // comparisons cost far more CPU in every index lookup. LiteDB stores the collation in the file when it
            // creates it and refuses to open a file with a different one, so a file made by an earlier version keeps
            // its own (null: use the file's).
            Collation = File.Exists(fileName) && new FileInfo(fileName).Length > 0 ? null : OrdinalCollation,
        };
        return new LiteDatabase(connection, new BsonMapper());
    }

    private JournaledSessionStore OpenSessions(SessionStoreOptions options)
    {
        var sessions = new LiteDbSessionStore(_database);

        // One store per file: a second one would replay, and delete, the journal segments of the first. LiteDB does not
        // prevent that on Linux (it opens the file with FileShare.Read, which .NET on Unix does not enforce against
        // another writer), so whoever composes the app must open each file once.
        var leftOver = SessionJournal.FindSegments(FileName);
        (RecoveredSessionWrites, UnreadableJournalRecords) = sessions.Replay([.. leftOver.Select(segment => segment.Path)]);
        var journal = new SessionJournal(FileName, leftOver.Count == 0 ? 1 : leftOver[^1].Number + 1);
        return new JournaledSessionStore(sessions, journal, options);
    }
}
