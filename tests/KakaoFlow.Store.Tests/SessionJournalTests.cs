using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using KakaoFlow.Store.Tests.Support;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// The session journal and cache in front of LiteDB (<see cref="LiteDbStore"/>): replay after a killed process, torn
/// tails, flushing (explicit and in the background), the cache bound and sweeping the cache.
/// </summary>
/// <remarks>
/// A killed process is simulated by copying the store's files (the LiteDB file, its <c>-log</c> and the journal
/// segments) while the store is open and nothing is being flushed: the copy holds what the OS held at that moment,
/// which is what a process killed then leaves on disk. The original store is disposed normally afterwards.
/// </remarks>
public sealed class SessionJournalTests : TempStoreFile
{
    private const string Bot = "피자봇";

    private static readonly DateTimeOffset At = Sessions.At;

    /// <summary>Nothing is flushed during a test unless the test asks for it.</summary>
    private static readonly SessionStoreOptions NoBackgroundFlush = new() { FlushInterval = TimeSpan.FromHours(1) };

    [Fact]
    public async Task Acknowledged_writes_of_a_killed_process_are_replayed_from_the_journal_latest_write_winning()
    {
        const int users = 40;
        const int turns = 3;
        string crashed;
        using (var store = new LiteDbStore(StoreFile, NoBackgroundFlush))
        {
            // Turns interleave across users, as under load; each user's turns are in order.
            for (var turn = 1; turn <= turns; turn++)
            {
                for (var i = 0; i < users; i++)
                {
                    await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), turn));
                }
            }

            await store.Sessions.SaveAsync(Bot, "빈손님", Session.New);
            Assert.NotEmpty(JournalSegments(StoreFile));
            crashed = CopyStoreFiles();
        }

        Assert.NotEmpty(JournalSegments(crashed));
        using (var recovered = new LiteDbStore(crashed, NoBackgroundFlush))
        {
            Assert.Equal((users * turns) + 1, recovered.RecoveredSessionWrites);
            Assert.Empty(JournalSegments(crashed));
            for (var i = 0; i < users; i++)
            {
                SessionAssert.Same(Turn(UserKey(i), turns), recovered.Sessions.Find(Bot, UserKey(i)));
            }

            SessionAssert.Same(Session.New, recovered.Sessions.Find(Bot, "빈손님"));
            Assert.Equal(users + 1, recovered.Sessions.Count(Bot));
        }

        // The replay was committed to LiteDB: nothing is replayed twice and nothing is lost on the next start.
        using (var reopened = new LiteDbStore(crashed, NoBackgroundFlush))
        {
            Assert.Equal(0, reopened.RecoveredSessionWrites);
            Assert.Equal(0, reopened.CachedSessions);
            for (var i = 0; i < users; i++)
            {
                SessionAssert.Same(Turn(UserKey(i), turns), reopened.Sessions.Find(Bot, UserKey(i)));
            }
        }
    }

    [Fact]
    public async Task A_store_recovered_from_a_crash_journals_again_so_a_second_crash_loses_nothing()
    {
        string firstCrash;
        using (var store = new LiteDbStore(StoreFile, NoBackgroundFlush))
        {
            await store.Sessions.SaveAsync(Bot, "첫손님", Turn("첫손님", 1));
            await store.Sessions.SaveAsync(Bot, "둘째손님", Turn("둘째손님", 1));
            firstCrash = CopyStoreFiles();
        }

        string secondCrash;
        using (var recovered = new LiteDbStore(firstCrash, NoBackgroundFlush))
        {
            Assert.Equal(2, recovered.RecoveredSessionWrites);
            await recovered.Sessions.SaveAsync(Bot, "첫손님", Turn("첫손님", 2));
            await recovered.Sessions.SaveAsync(Bot, "셋째손님", Turn("셋째손님", 1));
            Assert.NotEmpty(JournalSegments(firstCrash));
            secondCrash = CopyStoreFiles(firstCrash);
        }

        using var again = new LiteDbStore(secondCrash, NoBackgroundFlush);
        Assert.Equal(2, again.RecoveredSessionWrites);
        SessionAssert.Same(Turn("첫손님", 2), again.Sessions.Find(Bot, "첫손님"));
        SessionAssert.Same(Turn("둘째손님", 1), again.Sessions.Find(Bot, "둘째손님"));
        SessionAssert.Same(Turn("셋째손님", 1), again.Sessions.Find(Bot, "셋째손님"));
        Assert.Empty(JournalSegments(secondCrash));
    }

    [Theory]
    [InlineData("half a record", 0, false)]
    [InlineData("half a header", 0, false)]
    [InlineData("random bytes", 1, false)]
    [InlineData("a record with a wrong CRC, then a good one", 1, true)]
    [InlineData("a negative length", 1, false)]
    public async Task A_torn_tail_is_ignored_damage_is_counted_and_every_complete_record_is_recovered(string tail, int damaged, bool goodOneAfter)
    {
        const int users = 20;
        string crashed;
        using (var store = new LiteDbStore(StoreFile, NoBackgroundFlush))
        {
            for (var i = 0; i < users; i++)
            {
                await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
            }

            crashed = CopyStoreFiles();
        }

        var segment = Assert.Single(JournalSegments(crashed));
        using (var file = new FileStream(segment, FileMode.Append, FileAccess.Write))
        {
            file.Write(Tail(tail));
        }

        using (var recovered = new LiteDbStore(crashed, NoBackgroundFlush))
        {
            Assert.Equal(users + (goodOneAfter ? 1 : 0), recovered.RecoveredSessionWrites);
            Assert.Equal(damaged, recovered.DamagedJournalRecords);
            Assert.Empty(JournalSegments(crashed));
            for (var i = 0; i < users; i++)
            {
                SessionAssert.Same(Turn(UserKey(i), 1), recovered.Sessions.Find(Bot, UserKey(i)));
            }

            Assert.Null(recovered.Sessions.Find(Bot, "유령"));
            Assert.Equal(goodOneAfter, recovered.Sessions.Find(Bot, "유령2") is not null);
            Assert.Equal(users + (goodOneAfter ? 1 : 0), recovered.Sessions.Count(Bot));
        }
    }

    [Fact]
    public void A_torn_segment_does_not_hide_the_segments_after_it()
    {
        // A failed journal write that cannot be cut back starts a new segment, so records after a torn tail live in the
        // next segment. (Segments written before frames had markers: they are still read.)
        CreateDataFile();
        using var first = new MemoryStream();
        first.Write(UnmarkedFrames.Of(SessionRecord.Write(Bot, "앞손님", Turn("앞손님", 1))));
        first.Write(UnmarkedFrames.Of(SessionRecord.Write(Bot, "유령", Turn("유령", 1)))[..20]);
        File.WriteAllBytes(StoreFile + ".sessions-00000007.journal", first.ToArray());
        File.WriteAllBytes(
            StoreFile + ".sessions-00000008.journal",
            [.. UnmarkedFrames.Of(SessionRecord.Write(Bot, "앞손님", Turn("앞손님", 2))), .. UnmarkedFrames.Of(SessionRecord.Write(Bot, "뒷손님", Turn("뒷손님", 1)))]);

        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        Assert.Equal(3, store.RecoveredSessionWrites);
        SessionAssert.Same(Turn("앞손님", 2), store.Sessions.Find(Bot, "앞손님"));
        SessionAssert.Same(Turn("뒷손님", 1), store.Sessions.Find(Bot, "뒷손님"));
        Assert.Null(store.Sessions.Find(Bot, "유령"));
        Assert.Empty(JournalSegments(StoreFile));
    }

    [Fact]
    public async Task A_write_that_fails_leaves_the_users_last_acknowledged_write_to_be_flushed()
    {
        // The parts of a LiteDbStore, so that the journal can fail under a running session store.
        using var database = OpenDataFile();
        var journal = new SessionJournal(StoreFile, 1);
        using var sessions = new JournaledSessionStore(new LiteDbSessionStore(database), journal, NoBackgroundFlush);

        await sessions.SaveAsync(Bot, "손님", Turn("손님", 1));
        journal.Dispose(); // from here every append fails, as on a full disk
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sessions.SaveAsync(Bot, "손님", Turn("손님", 2)));

        SessionAssert.Same(Turn("손님", 1), sessions.Find(Bot, "손님"));
        sessions.Flush();
        Assert.Empty(JournalSegments(StoreFile));
        SessionAssert.Same(Turn("손님", 1), SessionDocuments.FromDocument(database.Read("reading", open => open.Sessions.FindById(StoreNames.IdOf(Bot, "손님")))));
    }

    [Fact]
    public void A_complete_record_that_is_not_a_session_is_skipped_and_counted_and_the_store_opens()
    {
        CreateDataFile();
        File.WriteAllBytes(
            StoreFile + ".sessions-00000003.journal",
            [
                .. UnmarkedFrames.Of(SessionRecord.Write(Bot, "앞손님", Turn("앞손님", 1))),
                .. UnmarkedFrames.Of("{\"전혀\":\"세션이 아님\"}"u8.ToArray()),
                .. UnmarkedFrames.Of("[1,2"u8.ToArray()),
                .. UnmarkedFrames.Of("{\"bot\":\"피자봇\",\"user\":\"손님\",\"step\":\"home\",\"vars\":{},\"last\":9223372036854775807}"u8.ToArray()),
                .. UnmarkedFrames.Of(SessionRecord.Write(Bot, "뒷손님", Turn("뒷손님", 1))),
            ]);

        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        Assert.Equal(2, store.RecoveredSessionWrites);
        Assert.Equal(3, store.UnreadableJournalRecords);
        SessionAssert.Same(Turn("앞손님", 1), store.Sessions.Find(Bot, "앞손님"));
        SessionAssert.Same(Turn("뒷손님", 1), store.Sessions.Find(Bot, "뒷손님"));
        Assert.Empty(JournalSegments(StoreFile));
    }

    [Fact]
    public async Task Flushing_writes_the_sessions_to_LiteDB_and_deletes_every_journal_segment()
    {
        const int users = 50;
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        for (var i = 0; i < users; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 2));
        }

        Assert.NotEmpty(JournalSegments(StoreFile));
        store.FlushSessions();
        Assert.Empty(JournalSegments(StoreFile));

        // What a process killed right after the flush leaves: LiteDB alone has the sessions.
        var killed = CopyStoreFiles();
        Assert.Empty(JournalSegments(killed));
        using var reopened = new LiteDbStore(killed, NoBackgroundFlush);
        Assert.Equal(0, reopened.RecoveredSessionWrites);
        Assert.Equal(users, reopened.Sessions.Count(Bot));
        for (var i = 0; i < users; i++)
        {
            SessionAssert.Same(Turn(UserKey(i), 2), reopened.Sessions.Find(Bot, UserKey(i)));
        }
    }

    [Fact]
    public async Task The_cache_is_trimmed_to_its_capacity_and_evicted_sessions_are_read_from_LiteDB()
    {
        const int capacity = 100;
        const int users = 1_000;
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush with { CacheCapacity = capacity });
        for (var i = 0; i < users; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
        }

        // Dirty sessions are never evicted: LiteDB does not have them yet.
        Assert.Equal(users, store.CachedSessions);

        store.FlushSessions();
        Assert.InRange(store.CachedSessions, 1, capacity);

        for (var i = 0; i < users; i++)
        {
            SessionAssert.Same(Turn(UserKey(i), 1), store.Sessions.Find(Bot, UserKey(i)));
        }

        // Reads fill the cache again; the next flush trims it, and a few new dirty sessions are kept on top.
        store.FlushSessions();
        Assert.InRange(store.CachedSessions, 1, capacity);
        for (var i = users; i < users + 10; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
        }

        Assert.InRange(store.CachedSessions, 10, capacity + 10);
        for (var i = 0; i < users + 10; i++)
        {
            SessionAssert.Same(Turn(UserKey(i), 1), store.Sessions.Find(Bot, UserKey(i)));
        }
    }

    [Fact]
    public async Task The_cache_keeps_dirty_sessions_beyond_its_capacity_until_they_are_flushed()
    {
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush with { CacheCapacity = 10 });
        for (var i = 0; i < 50; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
        }

        // No flush yet: all 50 are dirty, so none may be dropped, capacity or not.
        Assert.Equal(50, store.CachedSessions);
        for (var i = 0; i < 50; i++)
        {
            SessionAssert.Same(Turn(UserKey(i), 1), store.Sessions.Find(Bot, UserKey(i)));
        }

        store.FlushSessions();
        Assert.InRange(store.CachedSessions, 1, 10);
    }

    [Fact]
    public async Task Each_user_reads_their_latest_write_while_flushes_and_cache_trims_run_concurrently()
    {
        const int users = 200;
        const int turns = 10;
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush with { CacheCapacity = 2 });
        using var stop = new CancellationTokenSource();
        var flushes = 0;
        var flusher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                store.FlushSessions();
                Interlocked.Increment(ref flushes);
            }
        });

        try
        {
            // Each user's turns in order, as under the host's per-user lock; flushes (and their trims) run in between.
            await Parallel.ForAsync(0, users, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                for (var turn = 1; turn <= turns; turn++)
                {
                    await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), turn));
                    SessionAssert.Same(Turn(UserKey(i), turn), store.Sessions.Find(Bot, UserKey(i)));
                    while (turn == turns / 2 && Volatile.Read(ref flushes) < 2)
                    {
                        // Half-way, every user waits for two flushes: the writes are fast enough (reads come from
                        // memory) to be over before the flusher thread ran at all on a busy machine.
                        await Task.Delay(1);
                    }
                }
            });
        }
        finally
        {
            await stop.CancelAsync();
            await flusher;
        }

        Assert.True(flushes > 1, "the flushes did not overlap the writes");
        store.FlushSessions();
        Assert.InRange(store.CachedSessions, 0, 2);
        Assert.Empty(JournalSegments(StoreFile));
        for (var i = 0; i < users; i++)
        {
            SessionAssert.Same(Turn(UserKey(i), turns), store.Sessions.Find(Bot, UserKey(i)));
        }
    }

    [Fact]
    public async Task Deleting_inactive_sessions_evicts_them_from_the_cache_and_keeps_newer_ones()
    {
        var cutoff = At.AddDays(1);
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        await store.Sessions.SaveAsync(Bot, "오래된손님", Turn("오래된손님", 1));
        await store.Sessions.SaveAsync("다른봇", "오래된손님", Turn("오래된손님", 1));
        await store.Sessions.SaveAsync(Bot, "새손님", Turn("새손님", 1) with { LastMessageAt = cutoff.AddMinutes(1) });
        store.FlushSessions();

        // Cached and clean (read from the cache), plus one old session still dirty when the sweep starts.
        Assert.NotNull(store.Sessions.Find(Bot, "오래된손님"));
        await store.Sessions.SaveAsync(Bot, "안쓴손님", Turn("안쓴손님", 2));
        var cachedBefore = store.CachedSessions;
        Assert.Equal(4, cachedBefore);

        Assert.Equal(2, store.Sessions.DeleteInactiveSince(Bot, cutoff));

        Assert.Null(store.Sessions.Find(Bot, "오래된손님"));
        Assert.Null(store.Sessions.Find(Bot, "안쓴손님"));
        Assert.NotNull(store.Sessions.Find(Bot, "새손님"));
        SessionAssert.Same(Turn("오래된손님", 1), store.Sessions.Find("다른봇", "오래된손님"));
        Assert.Equal(1, store.Sessions.Count(Bot));
        Assert.Equal(cachedBefore - 2, store.CachedSessions);

        // A process killed now must not bring them back from the journal.
        using var killed = new LiteDbStore(CopyStoreFiles(), NoBackgroundFlush);
        Assert.Equal(0, killed.RecoveredSessionWrites);
        Assert.Null(killed.Sessions.Find(Bot, "오래된손님"));
        Assert.Null(killed.Sessions.Find(Bot, "안쓴손님"));
        Assert.NotNull(killed.Sessions.Find(Bot, "새손님"));
    }

    [Fact]
    public async Task A_deleted_session_stays_deleted_in_the_cache_and_after_a_crash()
    {
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        await store.Sessions.SaveAsync(Bot, "탈퇴손님", Turn("탈퇴손님", 1));
        await store.Sessions.SaveAsync(Bot, "남은손님", Turn("남은손님", 1));

        Assert.True(store.Sessions.Delete(Bot, "탈퇴손님"));

        Assert.Null(store.Sessions.Find(Bot, "탈퇴손님"));
        using var killed = new LiteDbStore(CopyStoreFiles(), NoBackgroundFlush);
        Assert.Null(killed.Sessions.Find(Bot, "탈퇴손님"));
        SessionAssert.Same(Turn("남은손님", 1), killed.Sessions.Find(Bot, "남은손님"));
    }

    [Fact]
    public async Task The_flusher_writes_to_LiteDB_and_deletes_the_journal_without_being_asked()
    {
        const int users = 30;
        using var store = new LiteDbStore(StoreFile, new SessionStoreOptions { FlushInterval = TimeSpan.FromMilliseconds(50), WriteIdleAfter = TimeSpan.Zero });
        for (var i = 0; i < users; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
        }

        await WaitUntil(() => JournalSegments(StoreFile).Count == 0);

        using var killed = new LiteDbStore(CopyStoreFiles(), NoBackgroundFlush);
        Assert.Equal(0, killed.RecoveredSessionWrites);
        for (var i = 0; i < users; i++)
        {
            SessionAssert.Same(Turn(UserKey(i), 1), killed.Sessions.Find(Bot, UserKey(i)));
        }
    }

    [Fact]
    public async Task The_flusher_starts_early_when_the_threshold_of_writes_is_reached()
    {
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush with { FlushThreshold = 10, WriteIdleAfter = TimeSpan.Zero });
        for (var i = 0; i < 9; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
        }

        Assert.NotEmpty(JournalSegments(StoreFile));
        await store.Sessions.SaveAsync(Bot, UserKey(9), Turn(UserKey(9), 1));

        await WaitUntil(() => JournalSegments(StoreFile).Count == 0);
        using var killed = new LiteDbStore(CopyStoreFiles(), NoBackgroundFlush);
        Assert.Equal(0, killed.RecoveredSessionWrites);
        Assert.Equal(10, killed.Sessions.Count(Bot));
    }

    [Fact]
    public async Task A_segment_that_could_not_be_deleted_does_not_pin_the_flushed_sessions_in_the_cache()
    {
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush with { CacheCapacity = 1 });
        for (var i = 0; i < 5; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
        }

        // The segment cannot be deleted once (as when another process holds it open on Windows): a non-empty
        // folder in its place makes File.Delete fail after LiteDB committed the batch.
        var segment = Assert.Single(JournalSegments(StoreFile));
        File.Delete(segment);
        Directory.CreateDirectory(segment);
        File.WriteAllText(Path.Combine(segment, "열림"), "x");
        var failed = Assert.Throws<StoreUnavailableException>(store.FlushSessions);
        Assert.IsAssignableFrom<UnauthorizedAccessException>(failed.InnerException);
        Directory.Delete(segment, recursive: true);

        // The retry succeeds: LiteDB has every session, so the cache may keep only its capacity...
        store.FlushSessions();
        Assert.Empty(JournalSegments(StoreFile));
        Assert.InRange(store.CachedSessions, 0, 1);

        // ...and a sweep must not leave them readable from the cache.
        Assert.Equal(5, store.Sessions.DeleteInactiveSince(Bot, At.AddDays(1)));
        Assert.Equal(0, store.Sessions.Count(Bot));
        Assert.Null(store.Sessions.Find(Bot, UserKey(0)));
    }

    [Fact]
    public async Task A_trim_drops_only_the_least_recently_used_sessions_beyond_the_capacity()
    {
        const int capacity = 100;
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush with { CacheCapacity = capacity });
        for (var i = 0; i < capacity; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Turn(UserKey(i), 1));
        }

        store.FlushSessions();
        Assert.Equal(capacity, store.CachedSessions);

        // One chatty user read many times, then one new user: one session over the capacity.
        for (var read = 0; read < 150; read++)
        {
            Assert.NotNull(store.Sessions.Find(Bot, UserKey(0)));
        }

        await store.Sessions.SaveAsync(Bot, "새손님", Turn("새손님", 1));
        store.FlushSessions();

        // Least recently used first: UserKey(1) is the one to go. Allow slack for an approximate LRU, not a wipe-out.
        Assert.InRange(store.CachedSessions, capacity / 2, capacity);
    }

    private static string UserKey(int i) => "손님-" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>A user's session after <paramref name="turn"/> turns (<see cref="Sessions.Turn"/>) on a page (0 every third turn).</summary>
    private static Session Turn(string userKey, int turn) => Sessions.Turn(userKey, turn) with { Page = turn % 3 };

    /// <summary>What may follow the complete records of a segment: a torn write (a frame cut short), or damage.</summary>
    private static byte[] Tail(string kind)
    {
        var ghost = JournalFrames.Frame(SessionRecord.Write(Bot, "유령", Turn("유령", 9)));
        switch (kind)
        {
            case "half a record":
                return ghost[..(ghost.Length / 2)];
            case "half a header":
                return ghost[..9];
            case "random bytes":
                var random = new byte[301];
                new Random(8).NextBytes(random);
                return random;
            case "a record with a wrong CRC, then a good one":
                ghost[^3] ^= 1;
                return [.. ghost, .. JournalFrames.Frame(SessionRecord.Write(Bot, "유령2", Turn("유령2", 1)))];
            case "a negative length":
                var negative = (byte[])ghost.Clone();
                BinaryPrimitives.WriteInt32LittleEndian(negative.AsSpan(4), -5);
                BinaryPrimitives.WriteUInt32LittleEndian(negative.AsSpan(12), Crc32.HashToUInt32(negative.AsSpan(0, 12)));
                return negative;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>The journal segments next to <paramref name="storeFile"/>.</summary>
    private static List<string> JournalSegments(string storeFile) =>
        [.. Directory.EnumerateFiles(Path.GetDirectoryName(storeFile)!, "*.journal")];

    /// <summary>
    /// Copies every file of the store at <paramref name="storeFile"/> (default: the test's) into a new folder and returns
    /// the copy's store file: what a process killed now would leave on disk.
    /// </summary>

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "timed out waiting for the background flush");
            await Task.Delay(10);
        }
    }
}
