using System.Collections.Concurrent;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Sessions in LiteDB's <c>sessions</c> collection, with a write-ahead journal and a memory cache in front (issue 8).
/// </summary>
/// <remarks>
/// <para>
/// A write (<see cref="SaveAsync"/>) puts the session in the cache, marks it dirty and appends it to the
/// <see cref="SessionJournal"/> (as a <see cref="SessionRecord"/>); the turn is acknowledged when the journal write returned. A flusher thread writes the
/// dirty sessions to LiteDB every <see cref="SessionStoreOptions.FlushInterval"/> (or sooner when many are waiting)
/// in one transaction, a user's latest session only, and then deletes the journal segments LiteDB now covers. A read
/// (<see cref="Find"/>) is served from the cache, or from LiteDB when the session is not cached.
/// </para>
/// <para>
/// Why not one LiteDB write per turn, even group-committed: a LiteDB commit writes whole 8 KiB pages (the document's
/// data page and the pages of every index node it moves) to its log and checkpoints every 1,000 pages, so each turn
/// cost tens of KiB of writes and the commits were the host's bottleneck; the per-turn <c>FindById</c> went through
/// LiteDB's query planner. A journal record is the session's ~300 bytes of JSON, and the flusher writes each dirty page once
/// per flush however many turns touched it.
/// </para>
/// <para>
/// Invariants: a dirty session is never evicted from the cache, so a session missing from the cache is current in
/// LiteDB; a journal segment is deleted only after LiteDB committed every write it holds, so an acknowledged session
/// is always in LiteDB or in a segment that the next start replays (<see cref="LiteDbStore"/>). Operations that read
/// LiteDB as a whole (<see cref="Count"/>, <see cref="DeleteInactiveSince"/>, <see cref="Delete"/>) flush first.
/// Callers serialise the operations on one user (the host holds the user's lock), as for any <see cref="ISessionStore"/>.
/// </para>
/// </remarks>
internal sealed class LiteDbSessionStore : ISessionStore, IDisposable
{
    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _collection;
    private readonly SessionJournal _journal;
    private readonly SessionStoreOptions _options;
    // Many request threads write at once: more lock stripes than the default (one per core) keep them from queueing.
    private const int LockStripes = 64;

    /// <summary>Sessions written between two pauses of a paced flush (about 5 ms of LiteDB work here).</summary>
    private const int PaceChunk = 256;

    private readonly ConcurrentDictionary<string, Entry> _cache = new(LockStripes, 1024, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> _dirty = new(LockStripes, 1024, StringComparer.Ordinal);
    private readonly SemaphoreSlim _wakeFlusher = new(0);
    private readonly CancellationTokenSource _closing = new();
    private readonly object _flushGate = new();
    private readonly Thread _flusher;
    private long _clock;
    private int _dirtyUsers;

    public LiteDbSessionStore(LiteDatabase database, ILiteCollection<BsonDocument> collection, SessionJournal journal, SessionStoreOptions options)
    {
        _database = database;
        _collection = collection;
        _journal = journal;
        _options = options;
        _flusher = new Thread(RunFlusher) { IsBackground = true, Name = "KakaoFlow session flusher" };
        _flusher.Start();
    }

    /// <summary>Sessions held in memory now (tests read it).</summary>
    public int CachedCount => _cache.Count;

    public Session? Find(string botId, string userKey)
    {
        var id = StoreNames.IdOf(botId, userKey);
        if (_cache.TryGetValue(id, out var cached))
        {
            cached.Touched = Interlocked.Increment(ref _clock);
            return cached.Session;
        }

        var document = _collection.FindById(id);
        if (document is null)
        {
            return null;
        }

        var session = SessionDocuments.FromDocument(document);
        _cache.TryAdd(id, new Entry(botId, session, dirty: false, Interlocked.Increment(ref _clock)));
        return session;
    }

    public void Save(string botId, string userKey, Session session) =>
        SaveAsync(botId, userKey, session).GetAwaiter().GetResult();

    /// <summary>Completes when the session is in the journal; LiteDB gets it at the next flush.</summary>
    public async Task SaveAsync(string botId, string userKey, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var id = StoreNames.IdOf(botId, userKey);
        var record = SessionRecord.Write(botId, userKey, session);
        var entry = new Entry(botId, session, dirty: true, Interlocked.Increment(ref _clock));

        // Cached first, so that a flush taking the entry from _dirty finds it in the cache to mark it clean. Dirty before
        // the journal append: a flush that rotates the journal after this record is written also takes this entry (or a
        // later one of the same user), so a deleted segment never held an unflushed write.
        _cache.TryGetValue(id, out var previous);
        _cache[id] = entry;
        // Counted per user, not per write: the threshold bounds the sessions a flush must write and memory holds.
        var reachesThreshold = false;
        if (_dirty.TryAdd(id, entry))
        {
            reachesThreshold = Interlocked.Increment(ref _dirtyUsers) == _options.FlushThreshold;
        }
        else
        {
            _dirty[id] = entry;
        }

        try
        {
            await _journal.AppendAsync(record).ConfigureAwait(false);
        }
        catch
        {
            // Not acknowledged: later reads should not see it. (A flush may already have written it to LiteDB; the
            // user's next turn then continues from it, as from any write whose acknowledgement was lost.)
            if (previous is { Dirty: true })
            {
                // The user's last acknowledged write is not in LiteDB yet: it must stay dirty, or the next flush would
                // delete its journal segment without writing it. (The caller holds the user's lock: no other write races.)
                _cache[id] = previous;
                _dirty[id] = previous;
            }
            else
            {
                _cache.TryRemove(KeyValuePair.Create(id, entry));
                _dirty.TryRemove(KeyValuePair.Create(id, entry));
            }

            throw;
        }

        if (reachesThreshold)
        {
            // After the append, so that the early flush's rotation finds this write in the segment it deletes.
            _wakeFlusher.Release();
        }
    }

    public bool Delete(string botId, string userKey)
    {
        Flush();
        var id = StoreNames.IdOf(botId, userKey);
        _cache.TryRemove(id, out _);
        return _collection.Delete(id);
    }

    public int DeleteInactiveSince(string botId, DateTimeOffset cutoff)
    {
        Flush();
        var deleted = _collection.DeleteMany("$.bot = @0 AND $.last < @1", new BsonValue(botId), new BsonValue(cutoff.UtcTicks));
        var prefix = StoreNames.IdOf(botId, string.Empty);
        foreach (var (id, entry) in _cache)
        {
            if (!entry.Dirty && id.StartsWith(prefix, StringComparison.Ordinal)
                && (entry.Session.LastMessageAt is null || entry.Session.LastMessageAt < cutoff))
            {
                _cache.TryRemove(KeyValuePair.Create(id, entry));
            }
        }

        return deleted;
    }

    public int Count(string botId)
    {
        Flush();
        return _collection.Count(BsonExpression.Create("$.bot = @0", new BsonValue(botId)));
    }

    /// <summary>
    /// Writes every dirty session to LiteDB in one transaction, then deletes the journal segments that held them and
    /// trims the cache to <see cref="SessionStoreOptions.CacheCapacity"/>. On failure the sessions stay dirty and the
    /// segments stay on disk; the next flush tries again.
    /// </summary>
    public void Flush()
    {
        lock (_flushGate)
        {
            var segments = _journal.Rotate();
            Volatile.Write(ref _dirtyUsers, 0);

            // Every write whose record is in a rotated segment was made dirty before the rotation, so this pass sees
            // its user; taking the user's current entry (not the one seen) keeps a newer write from being left behind.
            var batch = new List<KeyValuePair<string, Entry>>();
            foreach (var id in _dirty.Keys)
            {
                if (_dirty.TryRemove(id, out var entry))
                {
                    batch.Add(KeyValuePair.Create(id, entry));
                }
            }

            try
            {
                WriteToDatabase(batch);
            }
            catch
            {
                foreach (var (id, entry) in batch)
                {
                    _dirty.TryAdd(id, entry); // unless a newer write of the user is dirty already
                }

                throw;
            }

            // LiteDB has them now: clean, whatever happens to the segments (a segment that cannot be deleted is
            // retried at the next flush, and replaying it would only write the same sessions again).
            foreach (var (id, entry) in batch)
            {
                _cache.TryUpdate(id, entry.Flushed(), entry);
            }

            TrimCache();
            _journal.DeleteSegments(segments);
        }
    }

    /// <summary>Stops the flusher and writes what is still dirty to LiteDB. The journal must be closed first.</summary>
    public void Dispose()
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        _closing.Cancel();
        _flusher.Join();
        Flush();
        _closing.Dispose();
        _wakeFlusher.Dispose();
    }

    /// <summary>
    /// Replays journal segments left by a previous process into LiteDB, oldest first; returns the records applied and
    /// those skipped because they could not be read as a session (a complete record with a good CRC that is not one:
    /// written by another version; skipping it loses that one write, refusing to start would stop every bot).
    /// </summary>
    internal static (int Applied, int Skipped) Recover(LiteDatabase database, ILiteCollection<BsonDocument> collection, IReadOnlyList<string> segments)
    {
        var applied = 0;
        var skipped = 0;
        foreach (var segment in segments)
        {
            database.InTransaction(() =>
            {
                foreach (var record in SessionJournal.ReadSegment(segment))
                {
                    (string BotId, string UserKey, Session Session) write;
                    try
                    {
                        write = SessionRecord.Read(record);
                    }
                    catch (InvalidDataException)
                    {
                        skipped++;
                        continue;
                    }

                    collection.Upsert(SessionDocuments.ToDocument(StoreNames.IdOf(write.BotId, write.UserKey), write.BotId, write.Session));
                    applied++;
                }
            });
        }

        foreach (var segment in segments)
        {
            File.Delete(segment);
        }

        return (applied, skipped);
    }

    private void WriteToDatabase(List<KeyValuePair<string, Entry>> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        // One call for the whole batch: LiteDB sets up its snapshot, index and data services once, not per session.
        _database.InTransaction(() => _collection.Upsert(Paced(batch, behind: batch.Count >= _options.FlushThreshold)));
    }

    /// <summary>
    /// The batch's documents, with a short pause after every <see cref="PaceChunk"/> unless the flusher is
    /// <paramref name="behind"/>: a flush is CPU-bound, and run flat out on a 2-core host it took a core from the
    /// request threads for a quarter of a second every few seconds, which showed in the p99 (issue 8). Paced, the
    /// same work is spread over about three times as long; pausing inside the transaction blocks no reader.
    /// </summary>
    private IEnumerable<BsonDocument> Paced(List<KeyValuePair<string, Entry>> batch, bool behind)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (!behind && i > 0 && i % PaceChunk == 0 && _options.FlushPause > TimeSpan.Zero)
            {
                Thread.Sleep(_options.FlushPause);
            }

            var (id, entry) = batch[i];
            yield return SessionDocuments.ToDocument(id, entry.BotId, entry.Session);
        }
    }

    /// <summary>Drops the least recently used clean sessions beyond the capacity; dirty ones always stay.</summary>
    private void TrimCache()
    {
        var excess = _cache.Count - _options.CacheCapacity;
        if (excess <= 0)
        {
            return;
        }

        var touched = new List<long>(_cache.Count);
        foreach (var entry in _cache.Values)
        {
            if (!entry.Dirty)
            {
                touched.Add(entry.Touched);
            }
        }

        if (touched.Count == 0)
        {
            return;
        }

        touched.Sort();
        var keepAfter = touched[Math.Min(excess, touched.Count) - 1];
        foreach (var (id, entry) in _cache)
        {
            if (!entry.Dirty && entry.Touched <= keepAfter)
            {
                _cache.TryRemove(KeyValuePair.Create(id, entry));
            }
        }
    }

    private void RunFlusher()
    {
        while (true)
        {
            try
            {
                _wakeFlusher.Wait(_options.FlushInterval, _closing.Token);
            }
            catch (OperationCanceledException)
            {
                return; // Dispose flushes what is left
            }

            try
            {
                Flush();
            }
#pragma warning disable CA1031 // the writes stay dirty and in the journal; the next flush retries, and the owner is told
            catch (Exception e)
#pragma warning restore CA1031
            {
                _options.FlushFailed?.Invoke(e);
                _closing.Token.WaitHandle.WaitOne(_options.FlushInterval);
            }
        }
    }

    /// <summary>A cached session; <see cref="Dirty"/> while LiteDB does not have it yet.</summary>
    private sealed class Entry(string botId, Session session, bool dirty, long touched)
    {
        public string BotId { get; } = botId;

        public Session Session { get; } = session;

        public bool Dirty { get; } = dirty;

        /// <summary>The store's access clock at the last read or write; only the cache trim reads it.</summary>
        public long Touched { get => Volatile.Read(ref touched); set => Volatile.Write(ref touched, value); }

        public Entry Flushed() => new(BotId, Session, dirty: false, Touched);
    }
}

/// <summary>How the session store buffers writes and how many sessions it keeps in memory.</summary>
public sealed record SessionStoreOptions
{
    /// <summary>
    /// How often dirty sessions are written from the journal to LiteDB. Longer coalesces more turns of one user into
    /// one LiteDB write (users in a conversation answer every few seconds) at the price of a longer journal to replay
    /// after a crash and more sessions held in memory until then (bounded by <see cref="FlushThreshold"/>).
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A flush starts early when this many users have a session not written to LiteDB yet.</summary>
    public int FlushThreshold { get; init; } = 20_000;

    /// <summary>Sessions kept in memory after a flush (least recently used are dropped first).</summary>
    public int CacheCapacity { get; init; } = 20_000;

    /// <summary>The pause between chunks of a flush that is not behind (see <see cref="FlushThreshold"/>); zero: no pauses.</summary>
    public TimeSpan FlushPause { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Called on the flusher thread when a background flush fails (it is retried).</summary>
    public Action<Exception>? FlushFailed { get; init; }
}
