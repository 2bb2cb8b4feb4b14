using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Sessions as documents in LiteDB's <c>sessions</c> collection (<see cref="SessionDocuments"/>), read and written
/// directly: each call is one LiteDB transaction, a batch (<see cref="SaveAll(IEnumerable{SessionWrite}, Func{bool})"/>)
/// one per 1,024 or 4,096 sessions. No cache and no journal: <see cref="JournaledSessionStore"/> puts those in front. Also replays the journal segments a killed process left
/// behind (<see cref="Replay"/>), since that is a batch of writes to this collection.
/// </summary>
/// <remarks>
/// Nothing a bot does every few minutes reads all of its sessions: with a million of them that is the whole data file
/// through LiteDB's page cache (hundreds of MB held until the cache is released, and seconds of CPU). So each bot's
/// count is kept in <see cref="StoreNames.SessionCounts"/>, changed in the transaction that inserts or deletes, and the
/// retention sweep finds the inactive sessions through an index of bot and last message time (<see cref="IdleIndex"/>),
/// loading only those (and at most the users of one <see cref="IdleBucketTicks"/> besides). Its writes are explicit
/// transactions, which <see cref="JournaledSessionStore"/> in front runs one at a time (its flush gate): so they may
/// pause inside (<see cref="LiteDbFile.PauseInside"/>).
/// </remarks>
internal sealed class LiteDbSessionStore : ISessionBackingStore
{
    /// <summary>The index the retention sweep reads: the bot, then the first 7 of the 18 digits of the last message's ticks.</summary>
    internal const string IdleIndex = "idle";

    /// <summary>
    /// <see cref="IdleIndex"/>'s key: <c>bot/6392811</c>. It changes when a user's last message moves into another
    /// <see cref="IdleBucketTicks"/> (about three hours), not at every write: LiteDB leaves an index alone when a document's
    /// key in it is unchanged, so a flush rarely moves the user's node. A session with no last message time is in bucket 0.
    /// An expression, not a stored field: files of earlier versions get the index by <c>EnsureIndex</c>, without a rewrite.
    /// </summary>
    internal const string IdleKey = "$.bot + '/' + SUBSTRING(FORMAT(COALESCE($.last, 0), 'D18'), 0, 7)";

    /// <summary>What one bucket of <see cref="IdleKey"/> spans: 10^11 ticks (2 h 46 min 40 s).</summary>
    internal const long IdleBucketTicks = 100_000_000_000;

    /// <summary>
    /// Sessions <see cref="SaveAll(IEnumerable{SessionWrite}, Func{bool})"/> writes in one LiteDB transaction. LiteDB keeps every page a transaction changes in
    /// its cache until it ends, and users spread over a large file change a data page each and an index page or two:
    /// 10–20 MB here (in transactions of 4,096 the flush of a restarted host took the cache to 106 MB, bench/README.md).
    /// </summary>
    internal const int SavesPerTransaction = 1_024;

    /// <summary>
    /// <see cref="SavesPerTransaction"/> for a batch that writes wait for (<c>catchingUp</c>), unless the store is
    /// opened with another number (<see cref="SessionStoreOptions.SessionsPerCatchUpTransaction"/>): four times the memory,
    /// a quarter of the commits and of the checkpoints after them. With 1,024 a rush of 1,000,000 new users took a quarter
    /// longer and four times as many turns failed waiting for the flusher.
    /// </summary>
    internal const int SavesPerTransactionCatchingUp = 4_096;

    /// <summary>Deletions of a sweep between two turns of other calls inside LiteDB (<see cref="LiteDbFile.PauseInside"/>).</summary>
    private const int DeletesPerTurn = 256;

    private readonly LiteDbFile _file;
    private readonly IJournalFiles _files;
    private readonly int _perCatchUpTransaction;

    /// <summary>
    /// Whether <see cref="SessionWrite.NeverStored"/> writes are inserted: only in a file that compares ids ordinally, as the
    /// writer's record of stored users does. A file made before the ordinal collation ignores case, so a new user <c>abc</c>
    /// beside a stored <c>Abc</c> would be a duplicate there.
    /// </summary>
    private readonly bool _insertsNeverStored;

    /// <summary>Opens the collection and its index; call once, at start-up (creating indexes is racy in LiteDB 5.0.21).</summary>
    /// <param name="file">The LiteDB file.</param>
    /// <param name="files">How <see cref="Sync"/> reaches the file system; the real one when null.</param>
    /// <param name="perCatchUpTransaction">Sessions written, or deleted by a sweep, in one transaction when catching up.</param>
    public LiteDbSessionStore(LiteDbFile file, IJournalFiles? files = null, int perCatchUpTransaction = SavesPerTransactionCatchingUp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perCatchUpTransaction, 1);
        _perCatchUpTransaction = perCatchUpTransaction;
        _file = file;
        _files = files ?? DiskJournalFiles.Instance;
        var ordinal = false;
        _file.Prepare("Preparing the sessions collection", database =>
        {
            ordinal = database.Engine.Collation.SortOptions == CompareOptions.Ordinal;
            database.Sessions.EnsureIndex(IdleIndex, BsonExpression.Create(IdleKey));
            // No index on `last` alone: every flush would move each user's node in it. Files made by earlier versions have it.
            database.Sessions.DropIndex("last");
            CountWhenNeeded(database);
        });
        _insertsNeverStored = ordinal;
    }

    /// <summary>
    /// Counts every bot's sessions once, in a file whose counts cannot be trusted: one written by a version that kept
    /// none. Such a version keeps an index on <c>bot</c> (and makes it again if it runs on this file later), so that
    /// index is the sign: counted from the <c>_id</c> index alone (no document read), then the counts replace any there
    /// and the index goes, in one transaction.
    /// </summary>
    private static void CountWhenNeeded(LiteDbFile.Database database)
    {
        var indexes = database.Engine.GetCollection("$indexes");
        if (!indexes.Exists(BsonExpression.Create("collection = @0 AND name = 'bot'", new BsonValue(StoreNames.Sessions))))
        {
            return;
        }

        // At start-up, before anything else uses the file: one streamed query, not the scan's pages.
        var counts = IdsQuery(database.Sessions, after: null, int.MaxValue).ToEnumerable()
            .CountBy(document => BotOf(document["_id"].AsString), StringComparer.Ordinal)
            .ToList();

        database.InTransaction(inside =>
        {
            inside.SessionCounts.DeleteAll();
            inside.SessionCounts.InsertBulk(counts.Select(count => CountDocument(count.Key, count.Value)));
            inside.Sessions.DropIndex("bot");
            return true;
        });
    }

    /// <exception cref="InvalidDataException">The stored session cannot be read by this version.</exception>
    public Session? Find(string botId, string userKey)
    {
        var document = _file.Read(ReadingWhat(botId), database => ReadSession(database, botId, userKey));
        return document is null ? null : SessionDocuments.FromDocument(document);
    }

    /// <inheritdoc cref="Find"/>
    public async ValueTask<Session?> FindAsync(string botId, string userKey)
    {
        var document = await _file.ReadAsync(ReadingWhat(botId), database => ReadSession(database, botId, userKey)).ConfigureAwait(false);
        return document is null ? null : SessionDocuments.FromDocument(document);
    }

    private static string ReadingWhat(string botId) => $"Reading a session of bot '{botId}'";

    private static BsonDocument? ReadSession(LiteDbFile.Database database, string botId, string userKey) =>
        database.Sessions.FindExactly(StoreNames.IdOf(botId, userKey), database.Collation);

    /// <summary>One LiteDB transaction: committed to its log (without fsync) when this returns.</summary>
    public void Save(string botId, string userKey, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var document = SessionDocuments.ToDocument(StoreNames.IdOf(botId, userKey), botId, session);
        _file.Transaction($"Writing a session of bot '{botId}'", database =>
        {
            if (database.Sessions.Upsert(document))
            {
                AddToCount(database, botId, 1);
            }
        });
    }

    public void PauseWriting(TimeSpan pause) => _file.PauseInside(pause);

    /// <summary><see cref="SaveAll(IEnumerable{SessionWrite}, Func{bool})"/>, catching up or not for the whole batch.</summary>
    public void SaveAll(IEnumerable<SessionWrite> writes, bool catchingUp) =>
        SaveAll(writes, catchingUp ? static () => true : static () => false);

    /// <summary>
    /// In transactions of <see cref="SavesPerTransaction"/> sessions (<see cref="SavesPerTransactionCatchingUp"/> while
    /// <paramref name="catchingUp"/>, asked as each begins): LiteDB holds every page a transaction changes in memory until it commits (up to
    /// 100,000 pages, 800 MB, before it spills them to its log), so one transaction for a flush of 200,000 users after a
    /// rush held more memory than everything else in the process.
    /// </summary>
    /// <remarks>
    /// Writes of users never stored (<see cref="SessionWrite.NeverStored"/>) are inserted without a lookup: LiteDB's
    /// <c>Upsert</c> first tries an update, a search of the <c>_id</c> index that fails for every new user, and its
    /// <c>Insert</c> costs 40 % less CPU for a new document (bench/README.md). Should one be stored after all, its insert
    /// fails on the duplicate id: LiteDB rolls that transaction back itself (the ones before it stay stored; the file stays
    /// open, see <see cref="LiteDbFile"/>) and this throws; the caller writes the batch again without the marks.
    /// </remarks>
    public void SaveAll(IEnumerable<SessionWrite> writes, Func<bool> catchingUp)
    {
        using var cursor = new WriteCursor(writes, () => catchingUp() ? _perCatchUpTransaction : SavesPerTransaction);
        while (cursor.More)
        {
            _file.Transaction("Writing a batch of sessions", database =>
            {
                // One Insert or Upsert call for each run of one bot's writes of one kind (a flush hands its users over by
                // kind and bot): LiteDB sets up its snapshot, index and data services once per call, not per session, and
                // tells how many of the call's documents were new.
                var inserted = new Dictionary<string, long>(StringComparer.Ordinal);
                cursor.BeginTransaction();
                while (cursor.HasRoom)
                {
                    var botId = cursor.Current.BotId;
                    bool? neverStored = _insertsNeverStored ? cursor.Current.NeverStored : null; // the mark counts only where inserts are made
                    var run = RunOf(cursor, botId, neverStored);
                    inserted[botId] = inserted.GetValueOrDefault(botId) + (neverStored == true ? database.Sessions.Insert(run) : database.Sessions.Upsert(run));
                }

                foreach (var (botId, count) in inserted)
                {
                    AddToCount(database, botId, count);
                }
            });
        }
    }

    /// <summary>
    /// The documents of the cursor's writes from its current one while they are <paramref name="botId"/>'s, of the run's
    /// kind (<see cref="SessionWrite.NeverStored"/> as given; null: either), and the transaction has room.
    /// </summary>
    private static IEnumerable<BsonDocument> RunOf(WriteCursor cursor, string botId, bool? neverStored)
    {
        do
        {
            yield return DocumentOf(cursor.Current);
            cursor.Next();
        }
        while (cursor.HasRoom && string.Equals(cursor.Current.BotId, botId, StringComparison.Ordinal)
            && (neverStored is not { } kind || cursor.Current.NeverStored == kind));
    }

    /// <summary>Changes the bot's count by <paramref name="change"/>, inside the transaction that changed its sessions.</summary>
    private static void AddToCount(LiteDbFile.Database database, string botId, long change)
    {
        if (change == 0)
        {
            return;
        }

        var key = CountKey(botId);
        var count = (database.SessionCounts.FindExactly(key, database.Collation)?["n"].AsInt64 ?? 0) + change;
        if (count > 0)
        {
            database.SessionCounts.Upsert(CountDocument(botId, count));
        }
        else
        {
            database.SessionCounts.Delete(key);
        }
    }

    /// <summary>The bot of a stored id (<see cref="StoreNames.IdOf"/>).</summary>
    private static string BotOf(string id) => id[..Math.Max(id.IndexOf(StoreNames.Separator, StringComparison.Ordinal), 0)];

    private static BsonDocument CountDocument(string botId, long count) => new() { ["_id"] = CountKey(botId), ["bot"] = botId, ["n"] = count };

    /// <summary>
    /// A count's id: the bot id's UTF-8 bytes in upper-case hex, which no collation can take for another's. A file made
    /// before the ordinal collation compares ids ignoring case, and bots <c>Shop</c> and <c>shop</c> (two folders) would
    /// share one count there, or collide.
    /// </summary>
    internal static string CountKey(string botId) => Convert.ToHexString(Encoding.UTF8.GetBytes(botId));

    /// <summary>The document of a write: straight from its journal record when it has one (the flush), else from the session.</summary>
    private static BsonDocument DocumentOf(SessionWrite write)
    {
        var id = StoreNames.IdOf(write.BotId, write.UserKey);
        return write.Record is { } record
            ? SessionDocuments.FromRecord(id, write.BotId, record)
            : SessionDocuments.ToDocument(id, write.BotId, write.Session);
    }

    /// <summary>
    /// fsyncs LiteDB's log and data file from outside (LiteDB 5.0.21 never does): a commit returned means the pages were
    /// handed to the OS, in one of the two (a checkpoint moves them from the log to the data file).
    /// </summary>
    public void Sync()
    {
        try
        {
            _files.SyncFile(StoreFiles.LogOf(_file.FileName));
            _files.SyncFile(_file.FileName);
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Syncing the data file to the disk");
        }
    }

    public IReadOnlyList<string> IdsAfter(string? after, int count) =>
        _file.Read("Listing the stored sessions", database => IdsQuery(database.Sessions, after, count)
            .ToEnumerable()
            .Select(document => document["_id"].AsString)
            .ToList());

    /// <summary>
    /// Up to <paramref name="count"/> ids after <paramref name="after"/>, in order, read from the <c>_id</c> index alone:
    /// LiteDB loads no document for a query that uses only the indexed field (a million ids: 1.2 s instead of 3–4.5 s, half
    /// the garbage).
    /// </summary>
    internal static ILiteQueryableResult<BsonDocument> IdsQuery(ILiteCollection<BsonDocument> sessions, string? after, int count) =>
        sessions.Query()
            .Where(BsonExpression.Create("_id > @0", after is null ? BsonValue.MinValue : new BsonValue(after)))
            .Select(BsonExpression.Create("{ _id }"))
            .Limit(count);

    public bool Delete(string botId, string userKey) =>
        _file.Transaction($"Deleting a session of bot '{botId}'", database =>
        {
            var deleted = database.Sessions.Delete(StoreNames.IdOf(botId, userKey));
            AddToCount(database, botId, deleted ? -1 : 0);
            return deleted;
        });

    /// <remarks>
    /// A session with no last message time counts as inactive (LiteDB orders null before every number). In transactions
    /// of as many deletions as a catch-up transaction writes (<see cref="SavesPerTransactionCatchingUp"/> unless the store
    /// was opened with another number), for the reason <see cref="SaveAll(IEnumerable{SessionWrite}, Func{bool})"/> is: a bot whose users all
    /// came the same day loses them all in one sweep.
    /// </remarks>
    public int DeleteInactiveSince(string botId, DateTimeOffset cutoff)
    {
        var deleted = 0;
        while (true)
        {
            var (found, gone) = _file.Transaction($"Deleting the inactive sessions of bot '{botId}'", database =>
            {
                var ids = database.Sessions.Query()
                    .Where(InactiveSince(botId, cutoff))
                    .Select(BsonExpression.Create("{ i: $._id }"))
                    .Limit(_perCatchUpTransaction)
                    .ToEnumerable()
                    .Select(row => row["i"])
                    .ToList();
                var count = 0;
                for (var i = 0; i < ids.Count; i++)
                {
                    if (i > 0 && i % DeletesPerTurn == 0)
                    {
                        _file.PauseInside(TimeSpan.Zero); // calls waiting meanwhile go first: a read waits for 256 deletions, not a transaction's
                    }

                    count += database.Sessions.Delete(ids[i]) ? 1 : 0;
                }

                AddToCount(database, botId, -count);
                return (ids.Count, count);
            });
            deleted += gone;
            if (found < _perCatchUpTransaction || gone == 0)
            {
                return deleted;
            }
        }
    }

    /// <summary>
    /// The bot's sessions with no message since <paramref name="cutoff"/>, as LiteDB reads them through <see cref="IdleIndex"/>:
    /// the range of the bot's keys up to the cutoff's bucket, then the exact time and bot. The bot is matched by a
    /// (case-sensitive) regular expression, not <c>=</c>, which compares in the file's collation: a file made before the
    /// ordinal collation ignores case, and would take bot <c>shop</c>'s sessions for <c>Shop</c>'s.
    /// </summary>
    internal static BsonExpression InactiveSince(string botId, DateTimeOffset cutoff) =>
        BsonExpression.Create(
            $"{IdleKey} BETWEEN @0 AND @1 AND IS_MATCH($.bot, @2) = true AND $.last < @3",
            new BsonValue(botId + "/"),
            new BsonValue(botId + "/" + (cutoff.UtcTicks / IdleBucketTicks).ToString("D7", CultureInfo.InvariantCulture)),
            new BsonValue("^" + Regex.Escape(botId) + @"\z"),
            new BsonValue(cutoff.UtcTicks));

    /// <summary>The bot's count (<see cref="StoreNames.SessionCounts"/>): one document read, whatever the number of sessions.</summary>
    public int Count(string botId) =>
        _file.Read($"Counting the sessions of bot '{botId}'", database =>
            (int)(database.SessionCounts.FindExactly(CountKey(botId), database.Collation)?["n"].AsInt64 ?? 0));

    /// <summary>
    /// Writes the session writes held in journal <paramref name="segments"/> (oldest first, so a user's last write wins),
    /// in the transactions of <see cref="SaveAll(IEnumerable{SessionWrite}, Func{bool})"/>, segment by segment, then deletes the segments. Returns the records applied, those skipped because they
    /// could not be read as a session (a complete record with a good CRC that is not one was written by another version),
    /// and the damaged records skipped (<see cref="JournalFrames"/>). Skipping loses those writes; refusing to start would
    /// stop every bot.
    /// </summary>
    public JournalReplay Replay(IReadOnlyList<string> segments)
    {
        var applied = 0;
        var skipped = 0;
        var damaged = 0;
        foreach (var segment in segments)
        {
            // Read before the transaction: a segment that cannot be read is the journal's failure, not the database's.
            var contents = Journal(() => SessionJournal.ReadSegment(segment));
            damaged += contents.Damaged;
            var writes = new List<SessionWrite>();
            foreach (var record in contents.Records)
            {
                try
                {
                    var (botId, userKey, session) = SessionRecord.Read(record);
                    writes.Add(new SessionWrite(botId, userKey, session));
                }
                catch (InvalidDataException)
                {
                    skipped++;
                }
            }

            SaveAll(writes, catchingUp: true); // nothing is served until the journal is replayed
            applied += writes.Count;
        }

        Journal(() =>
        {
            foreach (var segment in segments)
            {
                File.Delete(segment);
            }

            return true;
        });
        return new JournalReplay(applied, skipped, damaged);
    }

    private static T Journal<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Replaying the session journal");
        }
    }
}

/// <summary>Where <see cref="LiteDbSessionStore.SaveAll(IEnumerable{SessionWrite}, Func{bool})"/> is in its writes, across the transactions it splits them into.</summary>
internal sealed class WriteCursor : IDisposable
{
    private readonly IEnumerator<SessionWrite> _writes;
    private readonly Func<int> _perTransaction;

    /// <summary>Writes taken since the current transaction began, and the most it takes.</summary>
    private int _taken;
    private int _limit;

    /// <param name="writes">The writes.</param>
    /// <param name="perTransaction">The most writes one transaction takes, asked as each begins.</param>
    public WriteCursor(IEnumerable<SessionWrite> writes, Func<int> perTransaction)
    {
        _writes = writes.GetEnumerator();
        _perTransaction = perTransaction;
        More = _writes.MoveNext();
    }

    /// <summary>Whether <see cref="Current"/> is a write not taken yet.</summary>
    public bool More { get; private set; }

    /// <summary>Whether <see cref="Current"/> is a write not taken yet and the current transaction has room for it.</summary>
    public bool HasRoom => More && _taken < _limit;

    public SessionWrite Current => _writes.Current;

    public void BeginTransaction()
    {
        _taken = 0;
        _limit = _perTransaction();
    }

    /// <summary>Takes <see cref="Current"/> and moves on.</summary>
    public void Next()
    {
        _taken++;
        More = _writes.MoveNext();
    }

    public void Dispose() => _writes.Dispose();
}

/// <summary>What a journal replay did: writes applied, records that were not sessions, damaged records skipped.</summary>
internal readonly record struct JournalReplay(int Applied, int NotSessions, int Damaged);
