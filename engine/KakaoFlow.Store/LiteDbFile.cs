using System.Collections;
using System.Reflection;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// The data file's <see cref="LiteDatabase"/>, closed and opened again after a storage failure. Every store call goes
/// through <see cref="Read"/>, <see cref="Write"/> or <see cref="Transaction"/>, which also turn LiteDB's and the file
/// system's exceptions into <see cref="StoreException"/>s.
/// </summary>
/// <remarks>
/// <para>
/// Why reopen: after an I/O error inside an automatic transaction LiteDB 5.0.21 closes its engine for good (every
/// later call throws the same error), and when an explicit transaction's commit fails the transaction stays bound to the
/// thread, holding its collections' write locks, and no call can release it (<c>Rollback</c> finds it no longer active,
/// or fails the same way); a later <c>BeginTrans</c> on that thread returns false, and a later write there joins the
/// dead transaction and is never committed. Only a new engine is rid of it. So a call that breaks the database retires
/// it: the next calls fail at once, without touching LiteDB, until every call still inside the old database has left
/// it; then it is closed, and the first call after a pause (<see cref="ReopenPause"/>) opens the file again. Never two
/// engines on the file at once: the new one would not see what the old one still commits to the log. An error LiteDB
/// handles itself inside an explicit transaction (a duplicate key, a document too large) does not break it: LiteDB rolls
/// that transaction back and releases it, so only the call fails and the database stays open.
/// </para>
/// <para>
/// Every wait inside LiteDB is bounded by its TIMEOUT pragma, set to <see cref="LockTimeoutSeconds"/> (LiteDB's default
/// is a minute): a call either gets its locks in time or fails with <see cref="StoreUnavailableException"/>.
/// </para>
/// </remarks>
internal sealed partial class LiteDbFile : IDisposable
{
    /// <summary>The longest a LiteDB call waits for a lock: well inside the 3 s reply bound.</summary>
    public const int LockTimeoutSeconds = 2;

    /// <summary>The log size (in pages of 8 KiB) above which a write's end moves the log into the data file (LiteDB's default).</summary>
    public const int CheckpointPages = 1_000;

    /// <summary>
    /// LiteDB's own checkpoint (its CHECKPOINT pragma, stored in the file), inside the commit that grows its log past this:
    /// only a backstop, for a log the checkpoint after a write's turn could not move (<see cref="CheckpointIfLogLarge"/>).
    /// </summary>
    public const int AutoCheckpointPages = 8 * CheckpointPages;

    /// <summary>The pause between a failure and the next attempt to open the file again.</summary>
    public static readonly TimeSpan ReopenPause = TimeSpan.FromSeconds(1);

    /// <summary>
    /// One call inside LiteDB at a time. LiteDB 5.0.21's page cache has a race between threads (<see cref="Breaks"/>): a
    /// host restarted under the load of 100,000 returning users, with 64 calls allowed at once, broke its file within
    /// two seconds in some runs ("Page type must be data page"), and a test program reading from four threads got
    /// another session than the one it asked for (<see cref="LiteDbReads.FindExactly"/>); one at a time, no run failed
    /// (bench/README.md, "tenth session"). A call waits here for at most <see cref="LockTimeoutSeconds"/>; a long write
    /// lets others in while it pauses (<see cref="PauseInside"/>). So LiteDB's "Maximum number of transactions reached"
    /// can only mean transactions it never released.
    /// </summary>
    private readonly TurnQueue _inside = new();

    /// <summary>The managed id of the thread whose call is inside LiteDB (<see cref="_inside"/>), 0 when none.</summary>
    private int _insideThread;

    /// <summary>Whether the calling thread holds the turn inside LiteDB (a call of its own is running).</summary>
    private bool InsideOnThisThread => Volatile.Read(ref _insideThread) == Environment.CurrentManagedThreadId;

    /// <summary>
    /// Where the reads <see cref="ReadAsync"/> queued wait for a turn that is not free, and run. Four places in the turn's
    /// queue: between two chunks of a flush, up to four times <see cref="ReadsPerTurn"/> queued reads go in.
    /// </summary>
    private readonly ReadThreads _readThreads;

    private readonly StoreHealth _health;
    private readonly Lock _gate = new();
    private Database? _current;
    private Database? _retiring;
    private long _reopenAt;
    private bool _opening;
    private bool _disposed;
    private int _failedCheckpoints;

    /// <summary>Opens the file (creating it when missing); throws LiteDB's or the file system's exception when it cannot.</summary>
    public LiteDbFile(string fileName, StoreHealth health)
    {
        FileName = fileName;
        _health = health;
        StoreFiles.Prepare(fileName);
        _current = Open(fileName);
        _readThreads = new ReadThreads(4, "KakaoFlow LiteDB reads");
    }

    public string FileName { get; }

    /// <summary>Runs a read. <paramref name="read"/> must finish its LiteDB work before it returns (materialise queries).</summary>
    public T Read<T>(string what, Func<Database, T> read) => Run(what, writes: false, read);

    /// <summary>
    /// Runs a read like <see cref="Read"/>, without blocking the caller's thread while it waits for its turn inside LiteDB:
    /// when the turn is not free at once, the read is queued, and the first of the file's <see cref="ReadThreads"/> to get
    /// the turn runs the queued reads in it, up to <see cref="ReadsPerTurn"/> (the wait still bounded by
    /// <see cref="LockTimeoutSeconds"/> from now).
    /// </summary>
    public async ValueTask<T> ReadAsync<T>(string what, Func<Database, T> read)
    {
        if (InsideOnThisThread)
        {
            return RunInside(what, writes: false, read);
        }

        if (TakeTurn(TimeSpan.Zero))
        {
            return RunInTurn(what, writes: false, read);
        }

        return await QueueRead(what, read).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a write to one collection (each LiteDB call inside is its own automatic transaction); its success tells the
    /// health the file works.
    /// </summary>
    public T Write<T>(string what, string collection, Func<ILiteCollection<BsonDocument>, T> write) =>
        Run(what, writes: true, database => write(database.Collection(collection)));

    /// <summary>Creates collections and indexes: at start-up only, before any request (racy in LiteDB 5.0.21 otherwise).</summary>
    public void Prepare(string what, Action<Database> prepare) => Run(what, writes: true, database =>
    {
        prepare(database);
        return true;
    });

    /// <summary>
    /// Runs <paramref name="work"/> in one explicit LiteDB transaction: committed when it returns, rolled back when it
    /// throws (its exception passes through). Synchronous, on this thread: LiteDB binds the transaction to it. When the
    /// commit fails, whether the work was stored is unknown: the caller gets a <see cref="StoreUnavailableException"/>.
    /// </summary>
    public T Transaction<T>(string what, Func<Database, T> work) => Run(what, writes: true, database => database.InTransaction(work));

    public void Transaction(string what, Action<Database> work) => Transaction(what, database =>
    {
        work(database);
        return true;
    });

    /// <summary>A small write that shows whether the file takes writes again: run by the flusher while the store is unavailable.</summary>
    public void Probe() => Write("Checking that the data file takes writes", StoreNames.Store, store =>
    {
        store.Upsert(new BsonDocument { ["_id"] = "probe", ["at"] = Environment.TickCount64 });
        _health.AllWork();
        return true;
    });

    /// <summary>Closes the database; a call still inside it closes it when it leaves (LiteDB bounds its waits).</summary>
    public void Dispose()
    {
        Database? closing;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            closing = _current;
            _current = null;
            if (closing is not null)
            {
                closing.Retired = true;
                closing.Closing = closing.Users == 0;
            }
        }

        if (closing is { Closing: true })
        {
            Close(closing);
        }

        _readThreads.Dispose(); // the reads already handed over find the file closed
    }

    private T Run<T>(string what, bool writes, Func<Database, T> operation)
    {
        if (InsideOnThisThread)
        {
            return RunInside(what, writes, operation); // called from a call of this thread, already inside
        }

        if (!TakeTurn(TimeSpan.FromSeconds(LockTimeoutSeconds)))
        {
            throw Busy(what);
        }

        return RunInTurn(what, writes, operation);
    }

    /// <summary>Runs a call in the turn this thread has just taken, ends the turn, then checkpoints after a write.</summary>
    private T RunInTurn<T>(string what, bool writes, Func<Database, T> operation)
    {
        T result;
        try
        {
            result = RunInside(what, writes, operation);
        }
        finally
        {
            EndTurn();
        }

        if (writes)
        {
            CheckpointIfLogLarge();
        }

        return result;
    }

    /// <summary>
    /// Moves LiteDB's log into the data file (its checkpoint) when the log holds more than <see cref="CheckpointPages"/>, in a
    /// turn of its own: the calls that waited for the write that grew it go first. LiteDB would checkpoint inside that
    /// write's commit (<see cref="AutoCheckpointPages"/>), where a commit of 4,096 sessions (a flush behind) held every read back
    /// 53 ms at the median and 110 at most, two thirds of it the checkpoint (bench/README.md, "eleventh session"). Not
    /// while a call is paused inside a transaction (<see cref="PauseInside"/>): the checkpoint waits for every open
    /// transaction to end, which that one cannot do without the turn; the write that ends it checkpoints. A failure is
    /// not the writer's, whose write was committed: it is counted (<see cref="FailedCheckpoints"/>), a failure of the
    /// disk also retires the file like any call's, and the next write tries again.
    /// </summary>
    private void CheckpointIfLogLarge()
    {
        if (InsideOnThisThread || !LogLarge() || !TakeTurn(TimeSpan.FromSeconds(LockTimeoutSeconds)))
        {
            return; // from inside a call it would wait for its own turn
        }

        try
        {
            lock (_gate)
            {
                if (_disposed || _current is not { Users: 0 })
                {
                    return;
                }
            }

            if (LogLarge()) // another write's checkpoint may have gone first
            {
                RunInside("Moving LiteDB's log into the data file", writes: true, database =>
                {
                    database.Engine.Checkpoint();
                    return true;
                });
            }
        }
        catch (Exception e) when (e is StoreException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _failedCheckpoints);
        }
        finally
        {
            EndTurn();
        }
    }

    /// <summary>Checkpoints that failed (<see cref="CheckpointIfLogLarge"/>): a lock timeout there means a transaction left open.</summary>
    internal int FailedCheckpoints => Volatile.Read(ref _failedCheckpoints);

    /// <summary>How many calls wait for their turn inside LiteDB (for tests: it is stale as soon as it is read).</summary>
    internal int Waiting => _inside.Waiting;

    private bool LogLarge()
    {
        var log = new FileInfo(StoreFiles.LogOf(FileName));
        return log.Exists && log.Length > (long)CheckpointPages * StoreFiles.PageSize;
    }

    private static StoreUnavailableException Busy(string what) =>
        new($"{what} failed: the data file was busy with other calls for {LockTimeoutSeconds} s");

    /// <summary>Waits for this thread's turn inside LiteDB, in the order of arrival (<see cref="TurnQueue"/>).</summary>
    private bool TakeTurn(TimeSpan timeout)
    {
        if (!_inside.Take(timeout))
        {
            return false;
        }

        Volatile.Write(ref _insideThread, Environment.CurrentManagedThreadId);
        return true;
    }

    private void EndTurn()
    {
        Volatile.Write(ref _insideThread, 0);
        _inside.End();
    }

    /// <summary>
    /// Waits <paramref name="pause"/> in the middle of this thread's call (a paced batch inside its transaction), letting
    /// other calls into LiteDB meanwhile: the race needs two threads running LiteDB's code, not two open transactions.
    /// With no pause, the calls already waiting go first (none: it goes on at once). Outside a call, just waits. The
    /// transaction keeps its collections' write locks meanwhile: a call writing one of them then would wait for LiteDB's
    /// lock holding the turn (2 s, then fail). So only the session store pauses, whose writers of the sessions all go
    /// through its flush gate.
    /// </summary>
    public void PauseInside(TimeSpan pause)
    {
        var inside = InsideOnThisThread;
        if (inside)
        {
            EndTurn();
        }

        try
        {
            if (pause > TimeSpan.Zero)
            {
                Thread.Sleep(pause);
            }
        }
        finally
        {
            if (inside)
            {
                // No time limit: this call's transaction is open, so it must go on, and every other call is bounded. Also
                // when the sleep throws: the call's end gives up a turn it must hold.
                TakeTurn(Timeout.InfiniteTimeSpan);
            }
        }
    }

    private T RunInside<T>(string what, bool writes, Func<Database, T> operation)
    {
        var database = Enter(what);
        try
        {
            var result = operation(database);
            if (writes)
            {
                _health.Works(StorePart.DataFile);
            }

            return result;
        }
        catch (Exception e) when (Breaks(e) is var breaks && (breaks || StoreErrors.IsStorageFailure(e) || database.TransactionLeftOpen))
        {
            if (breaks || database.TransactionLeftOpen)
            {
                Retire(database, e);
            }

            if (breaks)
            {
                throw new StoreUnavailableException($"{what} failed: {e.Message}", e);
            }

            if (StoreErrors.IsStorageFailure(e))
            {
                throw StoreErrors.Translate(e, what);
            }

            throw; // the caller's own exception; the transaction it left open went with the database
        }
        finally
        {
            Leave(database);
        }
    }

    /// <summary>
    /// Errors after which the database cannot be trusted: I/O, a closed engine, a transaction that could not end, and
    /// LiteDB's own state found broken. LiteDB 5.0.21's page cache has a race between threads (a page it evicts can be
    /// handed to a reader at the same time): reads from four threads at once over a large file failed within seconds with
    /// its page checks, with exceptions of the runtime thrown from its code (an index out of range), and, once transactions
    /// those failures never released had piled up, with "Maximum number of transactions reached" on every later call; once
    /// a read got another document than its id's (<see cref="LiteDbReads.FindExactly"/>). Only a new engine is rid of that
    /// (bench/README.md, "ninth session" and "tenth session").
    /// </summary>
    internal static bool Breaks(Exception exception) => exception switch
    {
        IOException or UnauthorizedAccessException or ObjectDisposedException or TransactionLeftOpenException or WrongDocumentException => true,
        LiteException lite => lite.InnerException is IOException or UnauthorizedAccessException
            || lite.ErrorCode is LiteException.ENGINE_DISPOSED or LiteException.INVALID_DATAFILE_STATE or LiteException.DATABASE_SHUTDOWN
            || (lite.ErrorCode == 0 && BrokenStateMessages.Any(message => lite.Message.StartsWith(message, StringComparison.Ordinal))),
        _ => ThrownInsideLiteDb(exception),
    };

    /// <summary>LiteDB's messages (error code 0, which it also gives mistakes of its caller) for a state of its own that is broken.</summary>
    private static readonly string[] BrokenStateMessages =
    [
        "Maximum number of transactions reached",
        "MemoryCache: removed in-use memory page",
        "This transaction are invalid state",
    ];

    /// <summary>
    /// Whether an exception that is not LiteDB's own was thrown by LiteDB's code (or by .NET's, called from it): a bug or
    /// broken state there. Not one thrown by a value read as the wrong type (LiteDB's <see cref="BsonValue"/> and its
    /// kinds: a bad document, which another file would not mend), nor a missing argument (the caller's mistake), nor one
    /// thrown by our code that LiteDB called (a batch's enumerator). Judged by the first frame that is not .NET's: LiteDB's
    /// query reader throws again what failed after the first row, from its own public method.
    /// </summary>
    private static bool ThrownInsideLiteDb(Exception exception)
    {
        if (exception is ArgumentNullException or OperationCanceledException)
        {
            return false;
        }

        foreach (var frame in new System.Diagnostics.StackTrace(exception).GetFrames())
        {
            if (frame.GetMethod()?.DeclaringType is not { } type || IsDotNets(type.Assembly))
            {
                continue;
            }

            return type.Assembly == typeof(LiteDatabase).Assembly && !typeof(BsonValue).IsAssignableFrom(type);
        }

        return false;
    }

    private static bool IsDotNets(Assembly assembly) =>
        assembly == typeof(object).Assembly || assembly.GetName().Name?.StartsWith("System.", StringComparison.Ordinal) == true;

    /// <summary>
    /// LiteDB's page cache (5.0.21) has no limit and never shrinks (LiteDB issue #2813): over a large file it grows toward
    /// the file's size. When it holds more than <paramref name="maxCacheBytes"/>, closes the database and opens it again,
    /// which releases it, in a turn of its own inside (calls arriving meanwhile wait for their turn, as for any call). Not
    /// while a call is paused inside it (<see cref="PauseInside"/>): never two engines on the file. Returns whether it
    /// recycled.
    /// </summary>
    public bool RecycleIfCacheAbove(long maxCacheBytes)
    {
        // Its own turn inside: no call runs meanwhile, so none finds the file closed or waits on anything but the turn.
        if (InsideOnThisThread || !TakeTurn(TimeSpan.FromSeconds(LockTimeoutSeconds)))
        {
            return false; // from inside a call it would wait for itself; or the turn did not come in time
        }

        try
        {
            Database old;
            lock (_gate)
            {
                // Holding the turn, only Dispose (which takes none, and closes the file itself) changes _current; a call
                // paused inside it (a paced flush, PauseInside) keeps it open: the next check recycles.
                if (_disposed || _current is not { Users: 0 } current || CacheBytes(current.Engine) is not { } bytes || bytes <= maxCacheBytes)
                {
                    return false;
                }

                old = current;
                _current = null;
                old.Retired = true;
                old.Closing = true;
            }

            Close(old);
            try
            {
                var opened = Open(FileName);
                lock (_gate)
                {
                    if (!_disposed)
                    {
                        _current = opened;
                        return true;
                    }
                }

                Close(opened); // disposed meanwhile
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lock (_gate)
                {
                    _reopenAt = Environment.TickCount64 + (long)ReopenPause.TotalMilliseconds; // the next call opens it
                }

                _health.Failed(StorePart.DataFile, e);
            }

            return true;
        }
        finally
        {
            EndTurn();
        }
    }

    /// <summary>The bytes of LiteDB's page cache (<c>_engine._disk.Cache.ExtendPages</c> pages of 8 KiB), or null when LiteDB has changed.</summary>
    internal static long? CacheBytes(LiteDatabase database)
    {
        var engine = typeof(LiteDatabase).GetField("_engine", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(database);
        var disk = engine?.GetType().GetField("_disk", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(engine);
        var cache = disk?.GetType().GetProperty("Cache", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(disk);
        return cache?.GetType().GetProperty("ExtendPages", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(cache) is int pages
            ? (long)pages * StoreFiles.PageSize
            : null;
    }

    private Database Enter(string what)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is { } current)
            {
                current.Users++;
                return current;
            }

            if (_opening || _retiring is not null || Environment.TickCount64 < _reopenAt)
            {
                var status = _health.Status;
                throw new StoreUnavailableException(
                    $"{what} failed: the data file is closed after a failure ({status.Reason ?? "unknown"}); it is opened again within a second or two");
            }

            _opening = true;
        }

        Database opened;
        try
        {
            opened = Open(FileName);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_gate)
            {
                _opening = false;
                _reopenAt = Environment.TickCount64 + (long)ReopenPause.TotalMilliseconds;
            }

            _health.Failed(StorePart.DataFile, e);
            throw StoreErrors.IsStorageFailure(e)
                ? StoreErrors.Translate(e, $"{what}: opening the data file again")
                : new StoreUnavailableException($"{what} failed: opening the data file again failed: {e.Message}", e);
        }

        lock (_gate)
        {
            _opening = false;
            if (!_disposed)
            {
                _current = opened;
                opened.Users++;
                return opened;
            }
        }

        Close(opened);
        throw new ObjectDisposedException(nameof(LiteDbFile));
    }

    private void Leave(Database database)
    {
        lock (_gate)
        {
            database.Users--;
            if (!database.Retired || database.Users > 0 || database.Closing)
            {
                return;
            }

            database.Closing = true;
        }

        Close(database);
    }

    private void Retire(Database database, Exception cause)
    {
        lock (_gate)
        {
            if (database.Retired)
            {
                return;
            }

            database.Retired = true;
            if (ReferenceEquals(_current, database))
            {
                _current = null;
            }

            _retiring = database;
            _reopenAt = Environment.TickCount64 + (long)ReopenPause.TotalMilliseconds;
        }

        _health.Failed(StorePart.DataFile, cause);
    }

    private void Close(Database database)
    {
        try
        {
            QuietFinalizers(database.Engine);
            database.Engine.Dispose();
            QuietFinalizers(database.Engine);
        }
#pragma warning disable CA1031 // a database retired after a failure may fail to close: what it committed is in its log
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_retiring, database))
                {
                    _retiring = null;
                }
            }
        }
    }

    /// <summary>Opens the file, which must exist: only the first opening creates it (a data file gone since is a lost one).</summary>
    private static Database Open(string fileName)
    {
        var length = File.Exists(fileName) ? new FileInfo(fileName).Length : -1;
        if (length < StoreFiles.PageSize)
        {
            // Only the first opening creates it (LiteDbStore refuses a lost one); one gone since is lost while serving.
            throw new StoreException(length < 0
                ? $"The data file '{fileName}' is gone; stop kakaoflow and restore it from a backup"
                : $"The data file '{fileName}' was cut to {length} bytes; stop kakaoflow and restore it from a backup");
        }

        StoreFiles.Prepare(fileName);
        var database = new LiteDatabase(new ConnectionString { Filename = fileName, Connection = ConnectionType.Direct }, new BsonMapper());
        try
        {
            // Both stored in the file: written once.
            if (database.Pragma("TIMEOUT").AsInt32 != LockTimeoutSeconds)
            {
                database.Pragma("TIMEOUT", LockTimeoutSeconds);
            }

            if (database.Pragma("CHECKPOINT").AsInt32 != AutoCheckpointPages)
            {
                database.Pragma("CHECKPOINT", AutoCheckpointPages);
            }

            return new Database(database);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Keeps LiteDB's transactions of a closed engine from running their finalizers. A transaction whose commit failed
    /// half-way cannot be disposed (it throws: some of its pages are no longer writable), and its finalizer would throw the
    /// same on the finalizer thread when the engine is collected, which ends the process. LiteDB 5.0.21 offers no way to
    /// reach them but reflection (<c>LiteEngine._monitor.Transactions</c>); if that is not there, nothing is done.
    /// </summary>
    private static void QuietFinalizers(LiteDatabase database)
    {
        var engine = typeof(LiteDatabase).GetField("_engine", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(database);
        var monitor = engine?.GetType().GetField("_monitor", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(engine);
        if (monitor?.GetType().GetProperty("Transactions")?.GetValue(monitor) is not IEnumerable transactions)
        {
            return;
        }

        // Nobody is inside the engine any more: its transaction list does not change under us.
        foreach (var transaction in transactions.Cast<object>().ToList())
        {
#pragma warning disable CA1816 // on purpose, on LiteDB's objects: see the summary
            GC.SuppressFinalize(transaction);
#pragma warning restore CA1816
        }
    }

    /// <summary>One opening of the file: the database, its collections, and who is inside it.</summary>
    /// <remarks>Its engine is closed by <see cref="LiteDbFile"/>, which knows when nobody is inside.</remarks>
    internal sealed class Database(LiteDatabase engine)
    {
        public LiteDatabase Engine { get; } = engine;

        /// <summary>How the file compares strings, its ids among them: ordinal, or for a file made before that, its own.</summary>
        public Collation Collation { get; } = engine.Collation;

        public ILiteCollection<BsonDocument> Sessions { get; } = engine.GetCollection(StoreNames.Sessions);

        /// <summary>Each bot's number of stored sessions; written in the transactions that change the sessions only.</summary>
        public ILiteCollection<BsonDocument> SessionCounts { get; } = engine.GetCollection(StoreNames.SessionCounts);

        public ILiteCollection<BsonDocument> Friends { get; } = engine.GetCollection(StoreNames.Friends);

        public ILiteCollection<BsonDocument> BotData { get; } = engine.GetCollection(StoreNames.BotData);

        public ILiteCollection<BsonDocument> Services { get; } = engine.GetCollection(StoreNames.Services);

        public ILiteCollection<BsonDocument> Errors { get; } = engine.GetCollection(StoreNames.Errors);

        public ILiteCollection<BsonDocument> Notifications { get; } = engine.GetCollection(StoreNames.Notifications, BsonAutoId.Int64);

        /// <summary>The store's own bookkeeping (the probe).</summary>
        public ILiteCollection<BsonDocument> Store { get; } = engine.GetCollection(StoreNames.Store);

        /// <summary>Set when a transaction could not be ended: the database must go.</summary>
        public bool TransactionLeftOpen { get; private set; }

        // Guarded by the file's lock.
        internal int Users { get; set; }

        internal bool Retired { get; set; }

        internal bool Closing { get; set; }

        public ILiteCollection<BsonDocument> Collection(string name) => name switch
        {
            StoreNames.Sessions => Sessions,
            StoreNames.Friends => Friends,
            StoreNames.BotData => BotData,
            StoreNames.Services => Services,
            StoreNames.Errors => Errors,
            StoreNames.Notifications => Notifications,
            StoreNames.Store => Store,
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a collection of the store"),
        };

        public T InTransaction<T>(Func<Database, T> work)
        {
            if (!Engine.BeginTrans())
            {
                TransactionLeftOpen = true;
                throw new TransactionLeftOpenException("A LiteDB transaction is already open on this thread");
            }

            T result;
            try
            {
                result = work(this);
            }
            catch
            {
                RollBack();
                throw;
            }

            try
            {
                if (!Engine.Commit())
                {
                    throw new TransactionLeftOpenException("LiteDB lost the transaction before its commit");
                }
            }
            catch
            {
                TransactionLeftOpen = true;
                throw;
            }

            return result;
        }

        private void RollBack()
        {
            try
            {
                if (!Engine.Rollback() && !HasNoTransaction(Engine))
                {
                    TransactionLeftOpen = true;
                }
            }
#pragma warning disable CA1031 // the work's exception is the one to report; this one only dooms the database
            catch (Exception)
#pragma warning restore CA1031
            {
                TransactionLeftOpen = true;
            }
        }

        /// <summary>
        /// Whether this thread is rid of its transaction though <c>Rollback</c> found none to roll back. Either LiteDB
        /// rolled it back and released it itself, as it does when a call inside it fails with an error it handles (a
        /// duplicate key, a document or an index key too large): the database is sound. Or a transaction is still bound
        /// to the thread, one LiteDB failed to end: nothing can release it. <c>BeginTrans</c> tells them apart: it starts a
        /// transaction only on a thread that has none, and that one is rolled back at once. It waits for LiteDB's
        /// transaction lock only to start one, so a lock timeout there also means the thread had none.
        /// </summary>
        internal static bool HasNoTransaction(LiteDatabase engine)
        {
            try
            {
                return engine.BeginTrans() && engine.Rollback();
            }
            catch (LiteException e) when (e.ErrorCode == LiteException.LOCK_TIMEOUT)
            {
                return true;
            }
        }
    }

    /// <summary>A LiteDB transaction that could not be ended on this thread.</summary>
    private sealed class TransactionLeftOpenException(string message) : InvalidOperationException(message);
}
