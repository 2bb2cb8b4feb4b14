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
/// power loss or an OS crash. By default (<see cref="SessionDurability.Os"/>) session writes are held to the same
/// standard: a turn is acknowledged once its session is in the session journal (<see cref="SessionJournal"/>, also
/// written to the OS without fsync), which this constructor replays into LiteDB when a killed process left segments
/// behind. With <see cref="SessionDurability.Fsync"/> the journal fsyncs each group of turns before they are answered
/// and the flusher fsyncs LiteDB's files before it deletes the segments they replace, so an acknowledged turn survives
/// a power cut; the other collections (friends, service states, bot data) keep LiteDB's standard
/// (docs/operations.md, "Durability").
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
/// <para>
/// Failures (a full disk, an I/O error): LiteDB cannot be trusted after one (it closes itself, or keeps a transaction it
/// could not end bound to a thread), so <see cref="LiteDbFile"/> closes the database and opens it again, calls fail at once
/// meanwhile, and every LiteDB wait is bounded (<see cref="LiteDbFile.LockTimeoutSeconds"/>). <see cref="Health"/> says
/// whether the store writes, since when it does not and why; while it does not, the flusher probes the file after each
/// attempt, so the store recovers by itself when space comes back. Acknowledged sessions stay in the journal throughout,
/// and <see cref="Dispose"/> is bounded (<see cref="CloseTimeout"/>) and never throws.
/// </para>
/// </remarks>
public sealed class LiteDbStore : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for the last flush and LiteDB's close before it gives up on them.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly StoreLock _lock;
    private readonly LiteDbFile _file;
    private readonly JournaledSessionStore _sessions;
    private readonly StoreHealth _health;
    private readonly ILogger? _logger;
    private readonly Lock _closeGate = new();
    private Task? _closing;

    /// <param name="fileName">The LiteDB file; the session journal's segments are written next to it.</param>
    /// <param name="sessionOptions">Write buffering and cache size of the session store; when null, the defaults sized
    /// for the memory this process may use (<see cref="SessionStoreOptions.ForThisProcess"/>).</param>
    /// <param name="logger">Told about a journal replay at open, about failed background flushes and about the store
    /// becoming unavailable and available again; none when null.</param>
    /// <exception cref="StoreException">The file cannot be opened (<see cref="StoreUnavailableException"/> when the
    /// cause is I/O or permissions).</exception>
    public LiteDbStore(string fileName, SessionStoreOptions? sessionOptions = null, ILogger<LiteDbStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        FileName = Path.GetFullPath(fileName);
        _logger = logger;
        _health = new StoreHealth(TimeProvider.System, logger);
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes; // sizes the defaults, and is logged below when less than they fit
        var options = sessionOptions ?? SessionStoreOptions.ForMemory(memory);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SessionsPerCatchUpTransaction, 1, nameof(sessionOptions) + "." + nameof(SessionStoreOptions.SessionsPerCatchUpTransaction));
        if (logger is not null)
        {
            options = options with { FlushFailed = LogFlushFailures(logger, options.FlushFailed) };
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FileName)!);
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw OpenFailed(e);
        }

        // First of all: a second store must not touch the files, the journal least of all (it would replay and delete it).
        _lock = StoreLock.Take(FileName);
        try
        {
            RefuseALostDataFile(FileName);
            _file = new LiteDbFile(FileName, _health);
            _file.Prepare("Preparing the collections", database =>
            {
                database.Friends.EnsureIndex("bot", "$.bot");
                database.BotData.EnsureIndex("bot", "$.bot");
                if (!database.Engine.CollectionExists(StoreNames.Store))
                {
                    database.Store.Insert(new BsonDocument { ["_id"] = "probe", ["at"] = Environment.TickCount64 });
                }
            });
            Friends = new LiteDbFriendStore(_file);
            BotData = new LiteDbBotDataStore(_file);
            Services = new LiteDbServiceStore(_file);
            Payments = new LiteDbPaymentStore(_file);
            _sessions = OpenSessions(options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing of a half-opened store may outlive it: the flusher thread, the journal, the database, the lock.
            _sessions?.Dispose();
            _file?.Dispose();
            _lock.Dispose();
            throw OpenFailed(e);
        }

        if (logger is not null && DamagedJournalRecords > 0)
        {
            StoreLog.SessionJournalDamaged(logger, RecoveredSessionWrites, DamagedJournalRecords, UnreadableJournalRecords);
        }
        else if (logger is not null && RecoveredSessionWrites + UnreadableJournalRecords > 0)
        {
            StoreLog.SessionJournalReplayed(logger, RecoveredSessionWrites, UnreadableJournalRecords);
        }

        if (logger is not null && memory < SessionStoreOptions.DefaultsFitMemoryBytes)
        {
            StoreLog.SizedForMemory(logger, memory / Mebibyte, options.MaxUnflushedUsers, options.CacheCapacity, options.PackedCacheBytes / Mebibyte, options.LiteDbCacheBytes / Mebibyte, options.SessionsPerCatchUpTransaction);
        }
    }

    private const long Mebibyte = 1024 * 1024;

    public string FileName { get; }

    /// <summary>Whether the store can write now, and since when it cannot: the data file and the session journal.</summary>
    public IStoreHealth Health => _health;

    public ISessionStore Sessions => _sessions;

    /// <summary>Session writes replayed from the journal at open: those a killed process had acknowledged but not flushed.</summary>
    public int RecoveredSessionWrites { get; private set; }

    /// <summary>Complete journal records that were not session writes this version can read; skipped at open.</summary>
    public int UnreadableJournalRecords { get; private set; }

    /// <summary>Journal records that were damaged (a changed byte, a lost header); skipped at open, each one an acknowledged write lost.</summary>
    public int DamagedJournalRecords { get; private set; }

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

    /// <summary>
    /// Writes the queued and buffered session writes to LiteDB, then checkpoints and closes the file — within
    /// <see cref="CloseTimeout"/>, and without throwing: what cannot be written (a full disk) stays in the session journal,
    /// which the next start replays, and is logged. A shutdown must end, and nothing acknowledged depends on it.
    /// </summary>
    public void Dispose()
    {
        Task closing;
        lock (_closeGate)
        {
            closing = _closing ??= Task.Factory.StartNew(Close, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        try
        {
            if (!closing.Wait(CloseTimeout) && _logger is not null)
            {
                StoreLog.CloseTimedOut(_logger, FileName, CloseTimeout);
            }
        }
        catch (AggregateException e) when (_logger is not null)
        {
            StoreLog.CloseFailed(_logger, FileName, e.InnerException ?? e);
        }
        catch (AggregateException)
        {
            // No logger: nothing to tell, and a shutdown must not fail over it.
        }
    }

    /// <summary>The lock is released only when everything else closed: a close that times out keeps it until the process ends.</summary>
    private void Close()
    {
        try
        {
            try
            {
                _sessions.Dispose();
            }
            finally
            {
                _file.Dispose();
            }
        }
        finally
        {
            _lock.Dispose();
        }
    }

    /// <summary>
    /// Flush failures, logged: a failure while the store is up is an error, with its cause; while the store is known to be
    /// unavailable (its outage was logged when it began), a reminder at most once a minute.
    /// </summary>
    private Action<Exception> LogFlushFailures(ILogger logger, Action<Exception>? next)
    {
        var lastReminder = long.MinValue;
        return e =>
        {
            if (_health.Available)
            {
                StoreLog.SessionFlushFailed(logger, e);
            }
            else if (Environment.TickCount64 - Interlocked.Read(ref lastReminder) >= 60_000)
            {
                Interlocked.Exchange(ref lastReminder, Environment.TickCount64);
                StoreLog.SessionFlushStillFailing(logger, _health.Status.Reason ?? e.Message);
            }

            next?.Invoke(e);
        };
    }

    /// <summary>
    /// Only a missing data file is a first start. One that is there but empty or shorter than a page (LiteDB would take
    /// it for a new database), or missing while its journal or LiteDB log is still there, is a lost one: starting on it
    /// would start every bot afresh — a blocked one included — so the store refuses, changes nothing and says what to do.
    /// (A data file this version creates is complete before it has its name: <see cref="StoreFiles"/>.)
    /// </summary>
    private static void RefuseALostDataFile(string fileName)
    {
        var data = new FileInfo(fileName);
        if (data.Exists && data.Length < StoreFiles.PageSize)
        {
            var what = data.Length == 0 ? "is empty" : $"is only {data.Length} bytes long";
            throw new StoreException($"The data file '{fileName}' {what}: it was cut short or overwritten. {WhatToDo(fileName)}");
        }

        var leftOver = SessionJournal.FindSegments(fileName).Select(segment => segment.Path)
            .Append(StoreFiles.LogOf(fileName))
            .Where(path => File.Exists(path) && new FileInfo(path).Length > 0)
            .ToList();
        if (!data.Exists && leftOver.Count > 0)
        {
            throw new StoreException(
                $"The data file '{fileName}' is missing, but {Path.GetFileName(leftOver[0])} is still there: the data file was lost. {WhatToDo(fileName)}");
        }
    }

    private static string WhatToDo(string fileName) =>
        "Starting on it would start every bot afresh (sessions, friends, bot data, service states), so kakaoflow does not: " +
        $"restore it from a backup; or, to start afresh on purpose, remove it and its session journal ('{Path.GetFileName(fileName)}.sessions-*.journal') " +
        $"and LiteDB log ('{Path.GetFileName(StoreFiles.LogOf(fileName))}').";

    /// <summary>
    /// Any failure to open is a <see cref="StoreException"/>: LiteDB reports a file that is not one of its databases with
    /// whatever its header parsing happened to throw (an <see cref="ArgumentOutOfRangeException"/>, say).
    /// </summary>
    private StoreException OpenFailed(Exception exception)
    {
        var cause = exception is StoreException { InnerException: { } inner } ? inner : exception;
        var what = $"Opening the data file '{FileName}'";
        if (exception is StoreException && !StoreErrors.IsStorageFailure(cause))
        {
            return (StoreException)exception;
        }

        return StoreErrors.IsStorageFailure(cause) && (cause is not LiteException lite || StoreErrors.IsUnavailable(lite))
            ? StoreErrors.Translate(cause, what)
            : new StoreException($"{what} failed: it is not a LiteDB data file this version can read, or it is damaged ({cause.Message}). {WhatToDo(FileName)}", cause);
    }

    private JournaledSessionStore OpenSessions(SessionStoreOptions options)
    {
        var sessions = new LiteDbSessionStore(_file, perCatchUpTransaction: options.SessionsPerCatchUpTransaction);

        // One store per file (the lock taken in the constructor): a second one would replay, and delete, the journal
        // segments of the first.
        var leftOver = SessionJournal.FindSegments(FileName);
        (RecoveredSessionWrites, UnreadableJournalRecords, DamagedJournalRecords) = sessions.Replay([.. leftOver.Select(segment => segment.Path)]);
        SessionJournal.DeleteLeftOverSpare(FileName);
        // fsync mode writes over prepared files of zeros: an fsync that need not change a file's size costs half.
        var journal = new SessionJournal(
            FileName,
            leftOver.Count == 0 ? 1 : leftOver[^1].Number + 1,
            _health,
            options.Durability,
            preparedBytes: options.Durability == SessionDurability.Fsync ? SessionJournal.DefaultPreparedBytes : 0);
        var cacheLimit = options.LiteDbCacheBytes;
        try
        {
            return new JournaledSessionStore(sessions, journal, options, () => AfterFlush(cacheLimit), betweenFlushes: () => ReleaseCacheAbove(cacheLimit));
        }
        catch
        {
            journal.Dispose(); // not the store's yet: its writer thread (fsync mode) would outlive the failed open
            throw;
        }
    }

    /// <summary>Run by the flusher after each flush: see whether an unavailable file takes writes again; release LiteDB's cache when it is large.</summary>
    private void AfterFlush(long cacheLimit)
    {
        ProbeWhileUnavailable();
        ReleaseCacheAbove(cacheLimit);
    }

    /// <summary>Run by the flusher after each flush and every second between flushes: reads alone make LiteDB's cache grow.</summary>
    private void ReleaseCacheAbove(long cacheLimit)
    {
        if (_health.Available && _file.RecycleIfCacheAbove(cacheLimit))
        {
            Recycles++;
        }
    }

    /// <summary>How often LiteDB's page cache was released by opening the data file again (<see cref="SessionStoreOptions.LiteDbCacheBytes"/>).</summary>
    public int Recycles { get; private set; }

    private void ProbeWhileUnavailable()
    {
        if (_health.Available)
        {
            return;
        }

        try
        {
            _file.Probe();
        }
        catch (StoreException)
        {
            // Still unavailable; the health keeps the first failure's reason.
        }
    }
}
