using System.Collections.Concurrent;
using System.Diagnostics;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Store;

/// <summary>
/// A session store that acknowledges a write once it is in a write-ahead journal, keeps sessions in a memory cache and
/// writes them to a backing store (<see cref="ISessionBackingStore"/>, LiteDB in use) in the background, in batches.
/// </summary>
/// <remarks>
/// <para>
/// A write (<see cref="SaveAsync"/>) puts the session in the cache, marks it dirty and appends it to the
/// <see cref="SessionJournal"/> (as a <see cref="SessionRecord"/>); the turn is acknowledged when the journal write
/// returned. A flusher thread, every <see cref="SessionStoreOptions.FlushInterval"/> (or sooner when many are
/// waiting), rotates the journal, writes the dirty sessions of users who stopped writing
/// (<see cref="SessionStoreOptions.WriteIdleAfter"/>) to the backing store in one batch, a user's latest session only,
/// carries the others over (appends their latest record again to the new segment), and then deletes the rotated
/// segments: each of their writes is now in the backing store or in a later segment. (A flush with nobody to write,
/// when appending the others again would not halve the journal, leaves them in their segments and rotates nothing.)
/// A read (<see cref="Find"/>) is served from the cache, or from the backing store when the session is not cached.
/// </para>
/// <para>
/// Why not one LiteDB write per turn, even group-committed: a LiteDB commit writes whole 8 KiB pages (the document's
/// data page and the pages of every index node it moves) to its log and checkpoints every 1,000 pages, so each turn
/// would cost tens of KiB of writes, and a <c>FindById</c> per turn goes through LiteDB's query planner. A journal
/// record is the session's few hundred bytes of JSON, and a batch writes each dirty page once however many turns
/// touched it. What the journal survives is LiteDB's own standard (docs/serving.md, "Durability"): a killed process, not a power loss.
/// </para>
/// <para>
/// Invariants: a dirty session is never evicted from the cache, so a session missing from the cache is current in the
/// backing store; a journal segment is deleted only when each write it holds is committed by the backing store (and the
/// session marked clean before that, unless the user wrote since: the entry's version tells) or is appended again to a
/// later segment, after which the user's later writes follow it (a user's gate orders the two), so an acknowledged
/// session is always in the backing store or in a segment that the next start replays, last in it
/// (<see cref="LiteDbSessionStore.Replay"/>). A cached user has one entry, changed in place under the user's gate
/// (<see cref="Entry"/>). Operations that change the backing store beyond one write (<see cref="DeleteInactiveSince"/>,
/// <see cref="Delete"/>) flush first; <see cref="Count"/> adds the users it does not hold yet instead. Callers serialise
/// the operations on one user (the host holds the user's lock), as for any <see cref="ISessionStore"/>.
/// </para>
/// </remarks>
internal sealed class JournaledSessionStore : ISessionStore, IDisposable
{
    // Many request threads write at once: more lock stripes than the default (one per core) keep them from queueing.
    private const int LockStripes = 64;

    /// <summary>Users a flush carries over per journal write (about 1 MB of records with the bench bot's sessions).</summary>
    private const int CarrySlice = 1_000;

    /// <summary>How long a sweep waits for the start-up scan of stored ids to end.</summary>
    private static readonly TimeSpan ScanWaitLimit = TimeSpan.FromMinutes(1);

    /// <summary>Sessions written between two pauses of a paced flush (a few milliseconds of LiteDB work).</summary>
    private const int PaceChunk = 256;

    private readonly ISessionBackingStore _backing;
    private readonly SessionJournal _journal;
    private readonly SessionStoreOptions _options;
    /// <summary>The most entries a dictionary of users is made ready for at the start (8 MB of buckets); beyond, it grows.</summary>
    private const int MaxInitialUsers = 1 << 20;

    private readonly ConcurrentDictionary<SessionKey, Entry> _cache;
    private readonly ConcurrentDictionary<SessionKey, Entry> _dirty;
    private readonly PackedSessionCache<SessionKey> _packed;
    private readonly SessionKeyFilter _known;
    private readonly Task _knownLoaded;
    private bool _knownReady;
    private readonly CoalescingSignal _flusherWake = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly object _flushGate = new();

    /// <summary>
    /// Held while the caches are trimmed, and by a delete or a sweep while it removes sessions from them: a trim running
    /// beside a flush (<see cref="TrimBeside"/>) must not put a session a delete has just removed back into the packed cache.
    /// Taken after <see cref="_flushGate"/> when both are held, never the other way round.
    /// </summary>
    private readonly object _trimGate = new();

    /// <summary>
    /// Whether the running flush is behind (turns may wait for it): it writes without pauses, in larger transactions.
    /// Set as it starts, and once it falls behind (<see cref="FallingBehind"/>); under the flush gate.
    /// </summary>
    private bool _behind;

    /// <summary>
    /// The thread that trims the caches beside the flushes (<see cref="TrimBeside"/>), one trim at a time; a trim asked for
    /// while one runs is made once that one ends, for everything asked meanwhile (<see cref="_trimmerWake"/>).
    /// </summary>
    private readonly Thread _trimmer;
    private readonly CoalescingSignal _trimmerWake = new();

    /// <summary>What the last trim beside a flush threw, until the flusher reports it (<see cref="SessionStoreOptions.FlushFailed"/> is its thread's).</summary>
    private Exception? _trimFailed;
    private readonly Thread? _flusher;
    private readonly Action? _afterFlush;
    private readonly Action? _betweenFlushes;

    /// <summary>How often <c>betweenFlushes</c> runs while the flusher waits.</summary>
    internal static readonly TimeSpan BetweenFlushesEvery = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time;
    private readonly SessionStoreMetrics _metrics;
    private readonly object[] _userGates = [.. Enumerable.Range(0, LockStripes).Select(_ => new object())];
    private long _clock;
    private int _dirtyUsers;

    /// <summary>
    /// Users of the running flush's batch not handed to the backing store yet (written by the flusher only). Back-pressure
    /// counts them with <see cref="_dirtyUsers"/>, so that each chunk the flush hands over lets as many waiting writes in.
    /// Uncounted, the bound filled early in a long flush (10–15 s for 150,000 users when behind) and held writes until
    /// the next flush took its batch, past the back-pressure timeout in a rush. Users the last flush carried over, who
    /// back-pressure did not count before, are not counted in the batch either (<see cref="Paced"/>); a user of the batch
    /// who writes again is counted once, here, and again in <see cref="_dirtyUsers"/> when the batch is written.
    /// </summary>
    private int _writing;
    private int _carriedOver;
    private long _carriedBytes;

    /// <summary>
    /// Journal rotations made by flushes (<see cref="FlushAndDelete"/>), counted after each returned: a write that read a
    /// count of <c>n</c> before queuing its append is in a segment that no rotation before the <c>n</c>-th returned, so a
    /// flush that carries its user over need not append it again (<see cref="Entry.InJournalSince"/>).
    /// </summary>
    private long _rotations;

    /// <summary>Deletes from the backing store done (<see cref="Delete"/>, <see cref="DeleteInactiveSince"/>): a read that saw one after it does not keep what it read cached (<see cref="CacheRead"/>).</summary>
    private long _deletions;

    /// <summary>Completed (and replaced) each time the flusher made room: took a batch, handed a chunk of it over, or deleted journal segments.</summary>
    private TaskCompletionSource _room = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts the flusher. The store owns <paramref name="journal"/> from here on and closes it on <see cref="Dispose"/>.</summary>
    /// <param name="backing">Where the sessions are written in the background, and read from when not cached.</param>
    /// <param name="journal">Where each write is appended before it is acknowledged.</param>
    /// <param name="options">Buffering and cache size; copied.</param>
    /// <param name="afterFlush">Run on the flusher thread after each background flush, whether it worked or not (the
    /// owner checks on its storage there); what it throws is reported to <see cref="SessionStoreOptions.FlushFailed"/>.</param>
    /// <param name="time">Tells how long ago a user last wrote (<see cref="SessionStoreOptions.WriteIdleAfter"/>); the system's when null.</param>
    /// <param name="flusher">Whether a flusher thread runs; tests that flush by hand turn it off.</param>
    /// <param name="betweenFlushes">Run on the flusher thread every <see cref="BetweenFlushesEvery"/> while it waits for
    /// the next flush (the owner keeps a cache that reads alone make grow in bounds there); what it throws is reported
    /// like <paramref name="afterFlush"/>'s.</param>
    public JournaledSessionStore(ISessionBackingStore backing, SessionJournal journal, SessionStoreOptions options, Action? afterFlush = null, TimeProvider? time = null, bool flusher = true, Action? betweenFlushes = null)
    {
        _time = time ?? TimeProvider.System;
        _backing = backing;
        _journal = journal;
        _afterFlush = afterFlush;
        _betweenFlushes = betweenFlushes;
        _options = options with { }; // the options are settable: later changes must not reach a running store
        // Sized at the start for the users the options let memory hold (the cache, and the unflushed users that
        // back-pressure allows), not grown to them: a ConcurrentDictionary grows by taking all its locks and making
        // every node anew, which held every write for milliseconds at each doubling while a rush of new users filled it
        // (bench/README.md, twelfth session). The price is 8 bytes a user in each, up front (under 3 MB for the defaults).
        _cache = new(LockStripes, InitialUsers(_options.CacheCapacity + (long)_options.MaxUnflushedUsers));
        _dirty = new(LockStripes, InitialUsers(_options.MaxUnflushedUsers));
        _packed = new PackedSessionCache<SessionKey>(_options.PackedCacheBytes, key => 2 * (key.BotId.Length + key.UserKey.Length));
        // Made before the store is handed out, so that every write is noted in it; the stored users are added in the
        // background and the filter answers only once they all are.
        _known = new SessionKeyFilter(_options.KnownUsersCapacity);
        _metrics = new SessionStoreMetrics(() => _dirty.Count, () => _cache.Count, () => _packed.Bytes, () => _journal.PendingBytes);
        // On a thread of its own, not the pool's: Dispose waits for it, and a busy pool could hold a queued scan (and so the
        // close) for seconds.
        _knownLoaded = Task.Factory.StartNew(LoadKnownUsers, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (flusher)
        {
            _flusher = new Thread(RunFlusher) { IsBackground = true, Name = "KakaoFlow session flusher" };
            _flusher.Start();
        }

        _trimmer = new Thread(RunTrimmer) { IsBackground = true, Name = "KakaoFlow session cache trimmer" };
        _trimmer.Start();
    }

    /// <summary>Completes when the filter that spares new users a backing-store read holds every user stored at the start (or failed to).</summary>
    public Task KnownUsersLoaded => _knownLoaded;

    /// <summary>Whether a user the store has never seen is answered without reading the backing store.</summary>
    public bool KnowsNewUsers => Volatile.Read(ref _knownReady);

    /// <summary>This store's meter (<see cref="SessionStoreMetrics"/>).</summary>
    internal System.Diagnostics.Metrics.Meter Meter => _metrics.Meter;

    /// <summary>Sessions held in memory now.</summary>
    public int CachedCount => _cache.Count;

    /// <summary>Sessions held in memory as records (the second level of the cache) now, and their estimated bytes.</summary>
    public (int Count, long Bytes) Packed => (_packed.Count, _packed.Bytes);

    /// <summary>Cached sessions held as objects now (the others in the object cache are held as their record only).</summary>
    public int ObjectsHeld => _cache.Values.Count(entry => entry.HoldsObjects);

    /// <summary>Users whose latest write is not flushed yet and not in a flush that is running.</summary>
    public int UnflushedUsers => _dirty.Count;

    public Session? Find(string botId, string userKey)
    {
        var key = new SessionKey(botId, userKey);
        var deletions = Interlocked.Read(ref _deletions);
        return FoundInMemory(key, deletions, out var session) ? session : Cached(key, _backing.Find(botId, userKey), deletions);
    }

    /// <summary>Like <see cref="Find"/>; a read of the backing store holds no thread while it waits (requests read this way).</summary>
    public ValueTask<Session?> FindAsync(string botId, string userKey)
    {
        var key = new SessionKey(botId, userKey);
        var deletions = Interlocked.Read(ref _deletions);
        return FoundInMemory(key, deletions, out var session) ? new ValueTask<Session?>(session) : FindStoredAsync(key, deletions);
    }

    private async ValueTask<Session?> FindStoredAsync(SessionKey key, long deletions) =>
        Cached(key, await _backing.FindAsync(key.BotId, key.UserKey).ConfigureAwait(false), deletions);

    /// <summary>Whether the session is known without the backing store: cached, packed, or a user never stored (null).</summary>
    /// <remarks><paramref name="deletions"/>: <see cref="_deletions"/> before the read.</remarks>
    private bool FoundInMemory(SessionKey key, long deletions, out Session? session)
    {
        if (_cache.TryGetValue(key, out var cached))
        {
            cached.Touched = Interlocked.Increment(ref _clock);
            _metrics.ReadFromCache();
            session = cached.Session;
            return true;
        }

        if (_packed.TryTake(key, out var record))
        {
            session = SessionRecord.Read(record).Session;
            CacheRead(key, new Entry(session, Interlocked.Increment(ref _clock), record), deletions);
            _metrics.ReadFromPacked();
            return true;
        }

        if (Volatile.Read(ref _knownReady) && !_known.MightContain(key.BotId, key.UserKey))
        {
            _metrics.ReadOfNewUser();
            session = null; // never stored: a new user
            return true;
        }

        _metrics.ReadFromStore();
        session = null;
        return false;
    }

    /// <summary>A session read from the backing store, cached (<paramref name="deletions"/>: <see cref="_deletions"/> before the read).</summary>
    private Session? Cached(SessionKey key, Session? stored, long deletions)
    {
        if (stored is not null)
        {
            CacheRead(key, new Entry(stored, Interlocked.Increment(ref _clock), record: null), deletions);
        }

        return stored;
    }

    /// <summary>
    /// Caches a clean session just read, unless a delete (of any user) deleted from the backing store since
    /// <paramref name="deletions"/> was read: it may have deleted this session after this read and before it was cached,
    /// and its cache removal may have come before the caching. The delete counts after its backing store's delete and
    /// before its cache's; this caches first and checks after, so either the delete's cache removal sees the entry or
    /// this sees the count. Taken out again only while clean (under the user's gate): a write that made it dirty
    /// meanwhile is the user's latest, which must stay cached until flushed. A session read from the packed cache and
    /// taken out this way is read from the backing store next time.
    /// </summary>
    private void CacheRead(SessionKey key, Entry entry, long deletions)
    {
        if (!_cache.TryAdd(key, entry) || Interlocked.Read(ref _deletions) == deletions)
        {
            return;
        }

        lock (GateOf(key))
        {
            if (!entry.Dirty)
            {
                _cache.TryRemove(KeyValuePair.Create(key, entry));
                _packed.Remove(key); // a trim may have packed it meanwhile
            }
        }
    }

    public void Save(string botId, string userKey, Session session) =>
        SaveAsync(botId, userKey, session).GetAwaiter().GetResult();

    /// <summary>Completes when the session is in the journal; the backing store gets it at the next flush.</summary>
    public async Task SaveAsync(string botId, string userKey, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var key = new SessionKey(botId, userKey);
        if (MustWait(key))
        {
            _metrics.WaitedForRoom();
            await WaitForRoom(key).ConfigureAwait(false);
        }

        var record = SessionRecord.Write(botId, userKey, session);
        // Beyond the cache's capacity of users written since the last flush, the entry keeps only the record (a few
        // hundred bytes instead of a few KB of objects): a rush of new users must not fill memory with objects that are
        // read again, if at all, after they are flushed and packed. A read of it decodes the record.
        var keepObject = Volatile.Read(ref _carriedOver) + Volatile.Read(ref _dirtyUsers) < _options.CacheCapacity;
        var writtenAt = _time.GetTimestamp();
        var knownReady = Volatile.Read(ref _knownReady);
        var mightBeStored = _known.Add(botId, userKey); // before it can reach the backing store
        // Whether the backing store holds a session of a user not cached, for Count: a user the filter ruled out is new;
        // otherwise not known until counted.
        var storedIfNew = knownReady && !mightBeStored ? false : (bool?)null;

        // Cached first, so that a flush taking the entry from _dirty finds it in the cache. Dirty before the journal
        // append: a flush that rotates the journal after this record is written also takes this entry, so a deleted
        // segment never held an unflushed write. Under the user's gate, with the append queued: a flush carrying this
        // user over appends their latest record, and the journal must hold the user's writes in the order they were made.
        var reachesThreshold = false;
        Entry? entry = null;
        Entry.State? before = null;
        long version;
        long rotations;
        try
        {
            Task appended;
            lock (GateOf(key))
            {
                if (_cache.TryGetValue(key, out var cached))
                {
                    entry = cached;
                    before = entry.Current;
                    entry.Write(keepObject ? session : null, record, writtenAt);
                    entry.Touched = Interlocked.Increment(ref _clock);
                }
                else
                {
                    entry = new Entry(keepObject ? session : null, record, Interlocked.Increment(ref _clock), writtenAt, storedIfNew);
                    _cache[key] = entry;
                }

                // Counted per user, not per write: the threshold bounds the sessions a flush must write and memory holds. Not
                // a user whose entry was dirty already (in the running flush's batch, counted there if at all; the flush
                // counts them when the batch is written): memory held them before this write. A crowd that went quiet and
                // came back while a flush wrote it counted twice, and new users' turns waited for the flush
                // (bench/README.md, eighteenth session).
                if (_dirty.TryAdd(key, entry) && before is not { Dirty: true })
                {
                    reachesThreshold = CountUnflushed(1);
                }

                version = entry.Version;
                rotations = Volatile.Read(ref _rotations);
                appended = _journal.AppendAsync(record);
            }

            await appended.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (entry is not null)
            {
                Unwrite(key, entry, before);
            }

            if (StoreErrors.IsStorageFailure(e))
            {
                throw StoreErrors.Translate(e, $"Writing a session of bot '{botId}' to the session journal");
            }

            throw;
        }

        lock (GateOf(key))
        {
            entry.Journaled(version, rotations);
        }

        _metrics.Written();
        // After the append, so that the early flush's rotation finds this write in the segment it deletes.
        if (reachesThreshold || JournalNeedsFlush())
        {
            WakeFlusher();
        }
    }

    /// <summary>
    /// Undoes a write that was not acknowledged, so that later reads do not see it. (A flush may already have written it to
    /// the backing store; the user's next turn then continues from it, as from any write whose acknowledgement was lost.)
    /// </summary>
    private void Unwrite(SessionKey key, Entry entry, Entry.State? before)
    {
        lock (GateOf(key))
        {
            if (before is { Dirty: true } acknowledged)
            {
                // The user's last acknowledged write is not in the backing store yet: it must stay dirty, or the next flush
                // would delete its journal segment without writing it.
                entry.Undo(acknowledged);
                _dirty.TryAdd(key, entry);
            }
            else
            {
                _cache.TryRemove(KeyValuePair.Create(key, entry));
                _dirty.TryRemove(KeyValuePair.Create(key, entry));
                _packed.Remove(key); // a packed record may be older than the acknowledged session the backing store has
            }
        }
    }

    /// <summary>
    /// Whether the journal holds enough to flush before the interval: a quarter of its bound, and at least twice what
    /// the last flush carried over (or a flush would mostly append again what it deletes).
    /// </summary>
    private bool JournalNeedsFlush() =>
        _journal.PendingBytes >= Math.Max(_options.MaxJournalBytes / 4, 2 * Interlocked.Read(ref _carriedBytes));

    private void WakeFlusher() => _flusherWake.Ask();

    /// <summary>Counts <paramref name="users"/> more as made unflushed; whether that reached <see cref="SessionStoreOptions.FlushThreshold"/> (the early flush).</summary>
    private bool CountUnflushed(int users)
    {
        var counted = Interlocked.Add(ref _dirtyUsers, users);
        return users > 0 && counted >= _options.FlushThreshold && counted - users < _options.FlushThreshold;
    }

    private static int InitialUsers(long users) => (int)Math.Clamp(users, 1024, MaxInitialUsers);

    private object GateOf(SessionKey key) => _userGates[(key.GetHashCode() & int.MaxValue) % _userGates.Length];

    public bool Delete(string botId, string userKey)
    {
        lock (_flushGate)
        {
            Flush();

            // Under the trim gate: a cache trim running beside a background flush must not put the session back into the
            // packed cache.
            lock (_trimGate)
            {
                var key = new SessionKey(botId, userKey);
                _packed.Remove(key);
                var deleted = _backing.Delete(botId, userKey);
                // Between the backing store's delete and the cache's (CacheRead): a read that cached the session after this
                // sees the count change, and one that cached it before is removed here.
                Interlocked.Increment(ref _deletions);
                _cache.TryRemove(key, out _);
                return deleted;
            }
        }
    }

    public int DeleteInactiveSince(string botId, DateTimeOffset cutoff)
    {
        // Not beside the start-up scan of stored ids: until it ends, every user not in the cache is read from LiteDB, and
        // a sweep deleting thousands of sessions would share LiteDB's one turn (LiteDbFile) with both and draw that out.
        // Bounded: a scan that cannot end must not stop the sweeps.
        try
        {
            _knownLoaded.Wait(ScanWaitLimit);
        }
        catch (AggregateException)
        {
            // A scan that failed is over as well.
        }

        lock (_flushGate)
        {
            Flush();
            lock (_trimGate) // as in Delete
            {
                return DeleteInactive(botId, cutoff);
            }
        }
    }

    private int DeleteInactive(string botId, DateTimeOffset cutoff)
    {
        _packed.RemoveInactive(key => string.Equals(key.BotId, botId, StringComparison.Ordinal), cutoff);
        var deleted = _backing.DeleteInactiveSince(botId, cutoff);
        Interlocked.Increment(ref _deletions); // between the backing store's deletes and the cache's, as in Delete
        foreach (var (key, entry) in _cache)
        {
            if (!string.Equals(key.BotId, botId, StringComparison.Ordinal))
            {
                continue;
            }

            lock (GateOf(key)) // a write meanwhile makes the entry dirty: it stays
            {
                if (!entry.Dirty && (entry.LastMessageAt is not { } last || last < cutoff))
                {
                    _cache.TryRemove(KeyValuePair.Create(key, entry));
                }
            }
        }

        return deleted;
    }

    /// <summary>
    /// The backing store's count plus the users written since whom it does not hold yet; without a flush, so that a
    /// dashboard polling it does not write every user still in their conversation (see <see cref="SessionStoreOptions.WriteIdleAfter"/>).
    /// </summary>
    public int Count(string botId)
    {
        // Under the flush gate: a flush moving users from the journal to the backing store meanwhile would count them twice or not at all.
        lock (_flushGate)
        {
            var count = _backing.Count(botId);
            foreach (var (key, entry) in _dirty)
            {
                if (string.Equals(key.BotId, botId, StringComparison.Ordinal) && !(entry.Stored ?? InBackingStore(key)))
                {
                    count++;
                }
            }

            return count;
        }
    }

    private bool InBackingStore(SessionKey key)
    {
        try
        {
            return _backing.Find(key.BotId, key.UserKey) is not null;
        }
        catch (InvalidDataException)
        {
            return true; // stored, by another version
        }
    }

    /// <summary>
    /// Writes every dirty session to the backing store in one batch, trims the cache to
    /// <see cref="SessionStoreOptions.CacheCapacity"/>, then deletes the journal segments that held them. On failure the
    /// sessions stay dirty and the segments stay on disk; the next flush tries again.
    /// </summary>
    public void Flush() => FlushLocked(carryOver: false, trimBeside: false);

    /// <summary>
    /// What the flusher runs: a flush that carries over the users still in their conversation
    /// (<see cref="SessionStoreOptions.WriteIdleAfter"/>), unless the journal is half way to its bound (carrying everyone
    /// over again would not shrink it).
    /// </summary>
    /// <remarks>
    /// Trims the caches beside it (<see cref="TrimBeside"/>): held back by a rush, turns wait for the end of the running
    /// flush's batch and the start of the next, and trimming inline took half a second or more of that.
    /// </remarks>
    internal void FlushInBackground()
    {
        ReportTrimFailure();
        FlushLocked(carryOver: _options.WriteIdleAfter > TimeSpan.Zero && !JournalHalfFull, trimBeside: true);
    }

    /// <summary>Tells the owner what the last trim beside a flush threw, if it failed; a callback that throws stops nothing.</summary>
    private void ReportTrimFailure()
    {
        if (Interlocked.Exchange(ref _trimFailed, null) is not { } trimFailed)
        {
            return;
        }

        try
        {
            _options.FlushFailed?.Invoke(trimFailed);
        }
#pragma warning disable CA1031 // the owner's callback: the flush (or the close) goes on
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Whether the journal's segments not deleted yet hold half of <see cref="SessionStoreOptions.MaxJournalBytes"/>.</summary>
    private bool JournalHalfFull => _journal.PendingBytes >= _options.MaxJournalBytes / 2;

    /// <summary>
    /// A flush; with <paramref name="carryOver"/>, users still in their conversation are carried over instead of written;
    /// with <paramref name="trimBeside"/>, the caches are trimmed on a thread of their own instead of before it returns.
    /// </summary>
    private void FlushLocked(bool carryOver, bool trimBeside)
    {
        try
        {
            lock (_flushGate)
            {
                try
                {
                    FlushAndDelete(carryOver, trimBeside ? TrimBeside : TrimNow);
                }
                finally
                {
                    MadeRoom(); // a failed flush too: waiting writes see again whether they still must wait
                }
            }
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            // The backing store translates its own errors; these are the journal's (closing or deleting a segment).
            throw StoreErrors.Translate(e, "Flushing the session journal");
        }
    }

    private void FlushAndDelete(bool carryOver, Action trim)
    {
        if (carryOver && CarriesOverInPlace())
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var segments = _journal.Rotate();
        var rotated = Interlocked.Increment(ref _rotations);
        var madeUnflushed = Interlocked.Exchange(ref _dirtyUsers, 0);
        Volatile.Write(ref _writing, madeUnflushed); // still counted while the batch is taken

        // Behind: as many users became unflushed since the last flush as the threshold, or the journal is half way to its
        // bound, so turns may soon wait for this flush (back-pressure); or the store is closing. Then no pauses, and the
        // backing store may hold more memory to write sooner. Users carried over by the last flush do not count: a quiet
        // host writing the users of a busy minute is not behind, however many they are.
        var behind = madeUnflushed >= _options.FlushThreshold
            || JournalHalfFull
            || _closing.IsCancellationRequested;

        // Every write whose record is in a rotated segment was made dirty before the rotation, so this pass sees
        // its user; the record taken is the user's latest, under their gate, so a newer write is never left behind.
        // A user who wrote within WriteIdleAfter stays dirty and is carried over instead (within CarriesOver's bounds).
        var batch = new List<Flushing>();
        var carried = new List<SessionKey>();
        long carriedBytes = 0;
        foreach (var (key, seen) in _dirty)
        {
            if (carryOver && CarriesOver(seen, carried.Count, ref carriedBytes))
            {
                carried.Add(key);
                continue;
            }

            lock (GateOf(key))
            {
                if (_dirty.TryRemove(key, out var entry))
                {
                    batch.Add(new Flushing(key, entry, entry.Record!, entry.Version, NeverStored: entry.Stored == false)); // every dirty entry has its record
                }
            }
        }

        // The users counted so far are this batch's now: new writes may make others dirty, as the batch is written. Those
        // the last flush carried over were not counted, and are not now: a crowd going quiet together (up to
        // MaxCarriedOverUsers leaving a broadcast) must not hold back new users' turns while it is written, nor make the
        // flush run flat out. A lower bound of them: the batch beyond the users counted since the last flush (when as
        // many new users came meanwhile, the crowd is counted, as before carried users were ever left out).
        var uncounted = Math.Max(batch.Count - madeUnflushed, 0);
        Volatile.Write(ref _writing, batch.Count - uncounted);
        MadeRoom();

        try
        {
            if (batch.Count > 0)
            {
                // New users first, then by bot: the backing store adds new users in runs without looking each up (LiteDB:
                // Insert, 40 % less CPU than Upsert for a new document), one call per run of one bot's users of one kind;
                // the dictionary's order would cut those runs short.
                batch.Sort(static (a, b) => a.NeverStored != b.NeverStored ? b.NeverStored.CompareTo(a.NeverStored) : string.CompareOrdinal(a.Key.BotId, b.Key.BotId));
                _behind = behind;
                _backing.SaveAll(Paced(batch, uncounted), catchingUp: () => _behind);
            }
        }
        catch
        {
            foreach (var flushing in batch)
            {
                lock (GateOf(flushing.Key))
                {
                    flushing.Entry.MayBeStored(); // part of the batch may be stored
                }

                _dirty.TryAdd(flushing.Key, flushing.Entry); // unless a newer write of the user made it dirty again already
            }

            // Back-pressure counts them again (a write made during the batch did not), but not those it never counted (carried
            // over by the last flush): a failed flush of a crowd that went quiet would otherwise hold back every new user
            // until the next flush.
            Interlocked.Add(ref _dirtyUsers, batch.Count - uncounted);
            throw;
        }
        finally
        {
            Volatile.Write(ref _writing, 0); // a failed batch is counted as dirty again; an empty one had nothing to hand over
        }

        // The backing store has them now: clean, whatever happens to the segments (a segment that cannot be deleted
        // is retried at the next flush, and replaying it would only write the same sessions again). A user who wrote
        // meanwhile stays dirty (and is in _dirty again), and is counted by back-pressure from here: their write was not,
        // as the batch counted them, and uncounted they could pile up flush after flush.
        var writtenAgain = 0;
        foreach (var flushing in batch)
        {
            lock (GateOf(flushing.Key))
            {
                flushing.Entry.Stores(flushing.Version);
                writtenAgain += flushing.Entry.Dirty ? 1 : 0;
            }
        }

        if (CountUnflushed(writtenAgain))
        {
            WakeFlusher();
        }

        // After the batch is in the backing store: if carrying over fails, the batch stays written and the carried users
        // stay dirty, with the rotated segments kept for the next flush. The trim first: beside, it runs meanwhile.
        trim();
        var carriedOver = CarryOver(carried, rotated);
        if (_options.Durability == SessionDurability.Fsync)
        {
            // The segments are the only durable copy until the backing store's own files are on the disk.
            _backing.Sync();
        }

        _journal.DeleteSegments(segments);
        if (batch.Count > 0 || carriedOver > 0)
        {
            _metrics.Flushed(batch.Count, carriedOver, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// A background flush that would write nothing and carry everyone over, when carrying them over would not even halve
    /// the journal — a rush of users who each wrote once or twice since the last flush, all still in their conversation
    /// (at a deploy or a broadcast: 100,000 users reach <see cref="SessionStoreOptions.FlushThreshold"/> in seconds) —
    /// leaves them in the segments they are in instead of appending tens of MB again while their turns are being answered.
    /// They count as carried over from here (the threshold counts the users who become unflushed after them, and the
    /// journal's early flush waits until it holds twice their bytes), and a later flush carries them over or writes them.
    /// </summary>
    /// <returns>Whether it did so (then there is nothing else to flush).</returns>
    private bool CarriesOverInPlace()
    {
        // Read first: a user made dirty during the pass below keeps their count (the rotating path exchanges it first).
        var counted = Volatile.Read(ref _dirtyUsers);
        var users = 0;
        long bytes = 0;
        foreach (var (_, entry) in _dirty)
        {
            if (!CarriesOver(entry, users, ref bytes))
            {
                return false; // someone to write to the backing store: a flush that does something
            }

            users++;
        }

        if (users == 0 || _journal.PendingBytes >= 2 * bytes)
        {
            return false;
        }

        Interlocked.Add(ref _dirtyUsers, -counted);
        Volatile.Write(ref _carriedOver, users);
        Interlocked.Exchange(ref _carriedBytes, bytes);
        MadeRoom(); // they no longer count for back-pressure
        TrimBeside(); // a background flush's (carryOver)
        _metrics.CarriedOver(users);
        return true;
    }

    /// <summary>
    /// Whether a background flush carries over the user of <paramref name="entry"/>, with <paramref name="users"/> of
    /// <paramref name="bytes"/> carried so far (added to when it does): a user still in their conversation, within
    /// <see cref="SessionStoreOptions.MaxCarriedOverUsers"/> and a fifth of the journal's bound in records. The early
    /// flush waits for twice the bytes carried over (<see cref="JournalNeedsFlush"/>), which this keeps below the half
    /// way mark at which a flush carries nobody over. Beyond <see cref="SessionStoreOptions.FlushThreshold"/> users, only
    /// those who wrote more than once since they came into memory (<see cref="Entry.WroteAgain"/>): carrying a user over
    /// appends their record again unless they wrote since the flush began, and a rush of new users, who each write once,
    /// never did — 200,000 of them carried held turns back past the back-pressure timeout in `sessions.sh`'s rush.
    /// </summary>
    private bool CarriesOver(Entry entry, int users, ref long bytes)
    {
        // Read outside the user's gate: an entry written meanwhile is counted at one of its sizes, an unwritten one may be leaving _dirty.
        var record = entry.Record?.Length ?? 0;
        if (_time.GetElapsedTime(entry.WrittenAt) >= _options.WriteIdleAfter
            || users >= _options.MaxCarriedOverUsers
            || (users >= _options.FlushThreshold && !entry.WroteAgain)
            || bytes + record > _options.MaxJournalBytes / 5)
        {
            return false;
        }

        bytes += record;
        return true;
    }

    /// <summary>
    /// Appends again, to the segment after the rotation, the latest record of each user in <paramref name="users"/> who is
    /// still dirty, and waits until they are written: the rotated segments then hold no write that is neither in the
    /// backing store nor in a later segment. Under the user's gate, so that a write of theirs made meanwhile is appended
    /// after it, not before. A user whose latest write was appended after the rotation (<paramref name="rotated"/>), and
    /// written, is in a later segment already and is not appended again: with every user of a busy bot writing every
    /// few seconds, most of those a flush that wrote for seconds carries over are. In slices of <see cref="CarrySlice"/>
    /// users, each written before the next is queued: the journal writes what is queued in one go, and the turns queued
    /// behind 200,000 carried records would wait for all of them (tens of MB), where behind a slice they wait for about
    /// a megabyte.
    /// </summary>
    /// <returns>The users carried over.</returns>
    private int CarryOver(List<SessionKey> users, long rotated)
    {
        var count = 0;
        long bytes = 0;
        for (var start = 0; start < users.Count; start += CarrySlice)
        {
            var slice = _journal.StartGroup();
            for (var i = start; i < Math.Min(start + CarrySlice, users.Count); i++)
            {
                var key = users[i];
                lock (GateOf(key))
                {
                    if (_dirty.TryGetValue(key, out var entry))
                    {
                        var record = entry.Record!; // every dirty entry has its record
                        if (!entry.InJournalSince(rotated))
                        {
                            CarryingOver?.Invoke(key.UserKey);
                            slice.Append(record);
                        }

                        count++;
                        bytes += record.Length;
                    }
                }
            }

            slice.Close().GetAwaiter().GetResult();
        }

        Volatile.Write(ref _carriedOver, count);
        Interlocked.Exchange(ref _carriedBytes, bytes);
        return count;
    }

    /// <summary>Tests only: called as a user is carried over, between reading their latest write and appending it again (not for a user whose latest write is in a later segment already).</summary>
    internal Action<string>? CarryingOver { get; set; }

    /// <summary>
    /// Stops the flusher, closes the journal (its queued appends are written first) and writes what is still dirty to
    /// the backing store. Does not throw for a failed last write: it is reported like a failed background flush
    /// (<see cref="SessionStoreOptions.FlushFailed"/>), and the journal segments stay for the next start to replay.
    /// </summary>
    public void Dispose()
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        // The flusher first: a flush carrying users over appends to the journal.
        _closing.Cancel();
        _flusher?.Join();
        _trimmer.Join(); // Flush below trims what a trim asked for last would have
        ReportTrimFailure();
        _journal.Dispose();
        ((IAsyncResult)_knownLoaded).AsyncWaitHandle.WaitOne(); // a page of the scan, at most; it stops at the cancellation
        try
        {
            Flush();
        }
        catch (StoreException e)
        {
            _options.FlushFailed?.Invoke(e);
        }

        _closing.Dispose();
        _flusherWake.Dispose();
        _trimmerWake.Dispose();
        _metrics.Dispose();
    }

    /// <summary>
    /// The batch's writes, with a short pause after every <see cref="PaceChunk"/> unless the flush is behind
    /// (<see cref="_behind"/>) or falls behind meanwhile (<see cref="FallingBehind"/>): a flush is CPU-bound, and run
    /// flat out on a small host it takes a core from the request threads for a noticeable time, which shows in the
    /// slowest replies. Paced, the same work is spread over a few times as long. The backing store lets other calls in at
    /// each pause, also at the pauses of zero of a flush behind.
    /// </summary>
    /// <param name="batch">The sessions to write.</param>
    /// <param name="uncounted">How many of them back-pressure does not count (<see cref="_writing"/>); the count drops as the first ones are handed over.</param>
    private IEnumerable<SessionWrite> Paced(List<Flushing> batch, int uncounted)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (i > 0 && i % PaceChunk == 0)
            {
                // The chunk is the backing store's now: as many writes held back for it may go in (_writing).
                Volatile.Write(ref _writing, Math.Max(batch.Count - i - uncounted, 0));
                MadeRoom();
                // Behind: no pause, but the calls waiting for the store still go first.
                _behind = _behind || FallingBehind(); // the backing store's next transaction is then a larger one too
                _backing.PauseWriting(_behind ? TimeSpan.Zero : _options.FlushPause);
            }

            var flushing = batch[i];
            yield return SessionWrite.OfRecord(flushing.Key.BotId, flushing.Key.UserKey, flushing.Record, flushing.NeverStored);
        }

        // All handed over (the backing store may be committing the last of them; their entries stay cached till the end).
        Volatile.Write(ref _writing, 0);
        MadeRoom();
    }

    /// <summary>
    /// Whether a paced flush must go flat out from here (no pauses, larger transactions), because turns may soon wait for
    /// it: the users back-pressure counts (made unflushed since it began, and those of its batch not handed over yet, as
    /// <see cref="MustWait"/> counts them; not users carried over) reached two thirds of
    /// <see cref="SessionStoreOptions.MaxUnflushedUsers"/>, or the journal is half way to its bound. With every
    /// user of a busy bot writing again during a flush, a paced flush took 10 s for 90,000 users and turns waited for it
    /// (bench/README.md, seventeenth session).
    /// </summary>
    private bool FallingBehind() =>
        3L * (Volatile.Read(ref _dirtyUsers) + Volatile.Read(ref _writing)) >= 2L * _options.MaxUnflushedUsers || JournalHalfFull;

    /// <summary>
    /// A user's write a flush is storing: the entry, and the record and version it had when the flush took it; whether the
    /// backing store is known never to have held the user (<see cref="Entry.Stored"/> false then).
    /// </summary>
    private readonly record struct Flushing(SessionKey Key, Entry Entry, byte[] Record, long Version, bool NeverStored);

    /// <summary>
    /// Back-pressure: whether a write must wait for the flusher before it goes in — when too many users have a session not
    /// flushed yet (counting those of the running flush not handed over yet) and this user is not one of them (their write
    /// replaces one already held), or when the journal holds too many bytes not flushed yet.
    /// </summary>
    private bool MustWait(SessionKey key) =>
        (Volatile.Read(ref _dirtyUsers) + Volatile.Read(ref _writing) >= _options.MaxUnflushedUsers && !HoldsUnflushed(key))
        || _journal.PendingBytes >= _options.MaxJournalBytes;

    /// <summary>Whether memory holds a session of the user not in the backing store yet: dirty, or in the running flush's batch.</summary>
    private bool HoldsUnflushed(SessionKey key) =>
        _dirty.ContainsKey(key) || (_cache.TryGetValue(key, out var entry) && entry.Dirty);

    private async Task WaitForRoom(SessionKey key)
    {
        var deadline = Environment.TickCount64 + (long)_options.BackPressureTimeout.TotalMilliseconds;
        while (true)
        {
            // The signal before the test: room made between the two is then not missed (this waits for a signal already given).
            var room = Volatile.Read(ref _room).Task;
            if (!MustWait(key))
            {
                return;
            }

            WakeFlusher();
            var left = deadline - Environment.TickCount64;
            try
            {
                await room.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(left, 0))).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                if (!MustWait(key))
                {
                    return; // room made as the wait ran out
                }

                throw new StoreUnavailableException(
                    $"Writing a session of bot '{key.BotId}' failed: the session flusher is behind (waited {_options.BackPressureTimeout.TotalSeconds:0.#} s for it)");
            }
        }
    }

    private void MadeRoom() =>
        Interlocked.Exchange(ref _room, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Trims the caches before returning.</summary>
    private void TrimNow()
    {
        lock (_trimGate)
        {
            TrimCache();
        }
    }

    /// <summary>
    /// Asks the trimmer thread for a trim and returns at once, so that the flush goes on (carries users over, deletes its
    /// segments) and the next one takes its batch and writes it while the trim runs. Under the flush gate. A trim takes
    /// under a second and a flush seconds, so the object cache holds about one flush's users beyond its capacity at most
    /// (a trim that fails is reported at each flush).
    /// </summary>
    private void TrimBeside() => _trimmerWake.Ask();

    private void RunTrimmer()
    {
        while (true)
        {
            try
            {
                _trimmerWake.Wait(Timeout.InfiniteTimeSpan, _closing.Token);
            }
            catch (OperationCanceledException)
            {
                return; // Dispose flushes, and that trims
            }

            _trimmerWake.Take(); // before the trim: one asked for during it is made after it
            try
            {
                TrimNow();
            }
#pragma warning disable CA1031 // the thread must go on: the flusher reports it, and the next trim starts afresh
            catch (Exception e)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _trimFailed, e);
            }
        }
    }

    /// <summary>Tests only: called as a clean session is about to leave the object cache in a trim, before its user's gate is taken.</summary>
    internal Action<string>? Trimming { get; set; }

    /// <summary>
    /// Moves the least recently used clean sessions beyond the capacity to the packed cache (as their record, when they
    /// have one), and trims that; dirty ones always stay. Under the trim gate.
    /// </summary>
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
        foreach (var (key, entry) in _cache)
        {
            if (entry.Dirty || entry.Touched > keepAfter)
            {
                continue;
            }

            Trimming?.Invoke(key.UserKey);

            // Under the user's gate: a write of theirs meanwhile would make the entry dirty again, and a dirty entry must
            // never leave the cache; an entry taken out meanwhile (a read that raced a delete, CacheRead) must not be packed.
            lock (GateOf(key))
            {
                if (entry.Dirty || !(_cache.TryGetValue(key, out var current) && ReferenceEquals(current, entry)))
                {
                    continue;
                }

                // Packed before it leaves the object cache, never after: a read between the two would find neither.
                if (entry.Record is { } record)
                {
                    _packed.Put(key, record, entry.Touched, entry.LastMessageAt);
                }

                _cache.TryRemove(KeyValuePair.Create(key, entry));
            }
        }

        _packed.Trim();
    }

    /// <summary>
    /// Adds every user the backing store holds to <see cref="_known"/>, a page at a time (no lock held between pages), then
    /// lets the filter answer. If the backing store fails meanwhile the filter never answers: every user not in memory is
    /// then read from the backing store, as if there were no filter.
    /// </summary>
    private void LoadKnownUsers()
    {
        // LiteDB collects each query's results in a hash set of their addresses. With 10,000 a page its arrays went to
        // the large-object heap, which only a full collection frees: a scan of 1,000,000 ids left 46-75 MB of garbage
        // there, and a restarted host under load held it for a while. At 4,000 (a set of 4,049 slots, 65 KB) they stay
        // in the young generation, and the scan takes as long; any page above 4,049 crosses the 85 KB mark again
        // (bench/README.md, "ninth session").
        const int Page = 4_000;
        try
        {
            string? after = null;
            while (!_closing.IsCancellationRequested)
            {
                var ids = _backing.IdsAfter(after, Page);
                foreach (var id in ids)
                {
                    _known.AddId(id);
                }

                if (ids.Count < Page)
                {
                    Volatile.Write(ref _knownReady, true);
                    return;
                }

                after = ids[^1];
            }
        }
        catch (Exception e) when (e is StoreException || StoreErrors.IsStorageFailure(e) || e is ObjectDisposedException)
        {
            // Left unanswering (see above); the flusher reports a store that stays unavailable.
        }
    }

    private void RunFlusher()
    {
        var flushAt = NextFlushAt();
        while (true)
        {
            var untilFlush = Math.Max(flushAt - Environment.TickCount64, 0);
            var wait = _betweenFlushes is null ? untilFlush : Math.Min(untilFlush, (long)BetweenFlushesEvery.TotalMilliseconds);
            bool woken;
            try
            {
                woken = _flusherWake.Wait(wait >= int.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(wait), _closing.Token);
            }
            catch (OperationCanceledException)
            {
                return; // Dispose flushes what is left
            }

            if (!woken && Environment.TickCount64 < flushAt)
            {
                RunHook(_betweenFlushes);
                continue;
            }

            _flusherWake.Take();

            Exception? failed = null;
            try
            {
                FlushInBackground();
            }
#pragma warning disable CA1031 // the writes stay dirty and in the journal; the next flush retries, and the owner is told
            catch (Exception e)
#pragma warning restore CA1031
            {
                failed = e;
                _options.FlushFailed?.Invoke(e);
            }

            RunHook(_afterFlush);
            if (failed is not null)
            {
                _closing.Token.WaitHandle.WaitOne(_options.FlushInterval);
            }

            flushAt = NextFlushAt(); // a whole interval after this flush ended, as before the checks between flushes
        }
    }

    private long NextFlushAt() => _options.FlushInterval == Timeout.InfiniteTimeSpan
        ? long.MaxValue
        : Environment.TickCount64 + (long)_options.FlushInterval.TotalMilliseconds;

    /// <summary>Runs an owner's hook on the flusher thread: a failure of it is reported like a flush's, never ends the thread.</summary>
    private void RunHook(Action? hook)
    {
        try
        {
            hook?.Invoke();
        }
#pragma warning disable CA1031 // the flusher thread must go on
        catch (Exception e)
#pragma warning restore CA1031
        {
            _options.FlushFailed?.Invoke(e);
        }
    }

    /// <summary>A user of a bot; compared ordinally, like every key of the stores.</summary>
    private readonly record struct SessionKey(string BotId, string UserKey);

    /// <summary>
    /// A cached user's session; <see cref="Dirty"/> while the backing store does not have it yet. One per user, updated in
    /// place by each write (<see cref="Write"/>): a write allocates its record and nothing else that outlives the turn,
    /// where an entry made per write doubled the garbage collector's young-generation budget and so each pause
    /// (bench/README.md, "fifth session"). <see cref="Version"/> tells the write a flush stored from a newer one.
    /// </summary>
    /// <remarks>
    /// Written under the user's gate only (a write, its undoing, a flush marking it clean, an eviction checking it);
    /// <see cref="Session"/> and <see cref="Record"/> are read without it by the user's own calls (serialised by the
    /// caller) and under it by the flusher.
    /// </remarks>
    private sealed class Entry
    {
        private Session? _session;
        private long _touched;

        /// <summary>
        /// Which write is known to be in the journal (<see cref="Journaled"/>): its version, and the count of rotations
        /// read before it was queued (its segment is one no earlier rotation returned).
        /// </summary>
        private (long Version, long Rotations) _journaled = (-1, 0);

        /// <summary>A clean entry: read from the backing store (<paramref name="record"/> null) or from the packed cache.</summary>
        public Entry(Session session, long touched, byte[]? record)
        {
            _session = session;
            _touched = touched;
            Record = record;
            Stored = true;
        }

        /// <summary>A user's first write while not cached.</summary>
        public Entry(Session? session, byte[] record, long touched, long writtenAt, bool? stored)
        {
            _touched = touched;
            Stored = stored;
            Write(session, record, writtenAt);
        }

        /// <summary>When the write this entry holds was made (the store's <see cref="TimeProvider.GetTimestamp"/>).</summary>
        public long WrittenAt { get; private set; }

        /// <summary>The session: its objects when held, else decoded from <see cref="Record"/> on each read.</summary>
        public Session Session => _session ?? SessionRecord.Read(Record!).Session;

        public bool HoldsObjects => _session is not null;

        /// <summary>The session's <see cref="Session.LastMessageAt"/>, read from <see cref="Record"/> without decoding it when the objects are not held.</summary>
        public DateTimeOffset? LastMessageAt => _session is { } session ? session.LastMessageAt : SessionRecord.LastMessageAt(Record!);

        /// <summary>The session as its journal record, when it came from a write or from the packed cache; null when read from the backing store.</summary>
        public byte[]? Record { get; private set; }

        public bool Dirty { get; private set; }

        /// <summary>Whether the user wrote more than once since the entry was made (a conversation, not a rush's one turn).</summary>
        public bool WroteAgain => Version > 1;

        /// <summary>Changes with every write (and its undoing).</summary>
        public long Version { get; private set; }

        /// <summary>
        /// Whether the backing store holds a session of this user (any version of it): true once flushed or read from it,
        /// false for a user it does not have, null when not known (written without being read first).
        /// </summary>
        public bool? Stored { get; private set; }

        /// <summary>The store's access clock at the last read or write; only the cache trim reads it.</summary>
        public long Touched { get => Volatile.Read(ref _touched); set => Volatile.Write(ref _touched, value); }

        /// <summary>What a failed write restores (<see cref="Undo"/>).</summary>
        public State Current => new(_session, Record, Dirty, WrittenAt);

        /// <summary>A new write: dirty, with a new version.</summary>
        /// <param name="session">The session as objects; null to keep only <paramref name="record"/>.</param>
        /// <param name="record">The session as its journal record.</param>
        /// <param name="writtenAt">Now, on the store's <see cref="TimeProvider.GetTimestamp"/>.</param>
        public void Write(Session? session, byte[] record, long writtenAt)
        {
            _session = session;
            Record = record;
            WrittenAt = writtenAt;
            Dirty = true;
            Version++;
        }

        /// <summary>The write of <paramref name="version"/> is in the journal, appended after <paramref name="rotations"/> rotations.</summary>
        public void Journaled(long version, long rotations)
        {
            if (Version == version)
            {
                _journaled = (version, rotations);
            }
        }

        /// <summary>
        /// Whether the write this entry holds is in the journal in a segment that the <paramref name="rotation"/>-th
        /// rotation did not return. Not for a write still being appended (it may fail and be undone, leaving the one before
        /// it, which may be only in a rotated segment) nor for a write undone (<see cref="Undo"/> changes the version).
        /// </summary>
        public bool InJournalSince(long rotation) => _journaled.Version == Version && _journaled.Rotations >= rotation;

        public void Undo(State before)
        {
            (_session, Record, Dirty, WrittenAt) = before;
            Version++;
        }

        /// <summary>A write of it to the backing store failed, which may have stored it anyway: a new user is no longer known to be missing there.</summary>
        public void MayBeStored()
        {
            if (Stored == false)
            {
                Stored = null;
            }
        }

        /// <summary>The backing store has <paramref name="version"/>: clean, unless the user wrote since.</summary>
        public void Stores(long version)
        {
            Stored = true;
            if (Version == version)
            {
                Dirty = false;
            }
        }

        public readonly record struct State(Session? Session, byte[]? Record, bool Dirty, long WrittenAt);
    }
}
