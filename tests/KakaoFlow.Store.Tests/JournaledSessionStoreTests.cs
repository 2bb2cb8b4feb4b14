using System.Collections.Concurrent;
using System.Diagnostics;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// The journal and cache in front of a backing store, on their own: the backing store here is a recording one in
/// memory, so what reaches it, when, and what happens when it fails can be seen directly.
/// </summary>
public sealed class JournaledSessionStoreTests : TempStoreFile
{
    private const string Bot = "피자봇";

    // WriteIdleAfter zero: every flush writes every user; carrying users over has tests of its own (CarryOverTests).
    private static readonly SessionStoreOptions NoBackgroundFlush = new() { FlushInterval = TimeSpan.FromHours(1), WriteIdleAfter = TimeSpan.Zero };

    private readonly RecordingBackingStore _backing = new();

    [Fact]
    public async Task A_write_is_acknowledged_from_the_journal_and_reaches_the_backing_store_at_the_flush_latest_only()
    {
        using var sessions = Open(NoBackgroundFlush);
        for (var turn = 1; turn <= 3; turn++)
        {
            for (var i = 0; i < 4; i++)
            {
                await sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), turn));
            }
        }

        Assert.NotEmpty(JournalSegments());
        Assert.Equal(0, _backing.Stored.Count(Bot));
        SessionAssert.Same(Sessions.Turn(UserKey(2), 3), sessions.Find(Bot, UserKey(2)));
        Assert.Equal(0, _backing.Finds);

        sessions.Flush();

        var batch = Assert.Single(_backing.Batches);
        Assert.Equal(Enumerable.Range(0, 4).Select(UserKey).Order(StringComparer.Ordinal), batch.Select(write => write.UserKey).Order(StringComparer.Ordinal));
        Assert.All(batch, write => Assert.Equal("주문/3", write.Session.StepId));
        Assert.Empty(JournalSegments());

        // Nothing is dirty any more: the next flush writes nothing.
        sessions.Flush();
        Assert.Single(_backing.Batches);
    }

    [Fact]
    public async Task A_failed_batch_keeps_the_sessions_dirty_and_their_journal_until_a_flush_succeeds()
    {
        using var sessions = Open(NoBackgroundFlush);
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));
        var diskFull = new StoreUnavailableException("disk full");
        _backing.FailNextBatch = diskFull;

        Assert.Same(diskFull, Assert.Throws<StoreUnavailableException>(sessions.Flush));

        Assert.NotEmpty(JournalSegments());
        Assert.Null(_backing.Stored.Find(Bot, "손님"));
        SessionAssert.Same(Sessions.Turn("손님", 1), sessions.Find(Bot, "손님"));

        // A newer write between the failure and the retry wins.
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 2));
        sessions.Flush();

        SessionAssert.Same(Sessions.Turn("손님", 2), _backing.Stored.Find(Bot, "손님"));
        Assert.Empty(JournalSegments());
    }

    [Fact]
    public async Task A_failed_background_flush_is_reported_and_retried()
    {
        var failures = new List<Exception>();
        using var sessions = Open(new SessionStoreOptions
        {
            FlushInterval = TimeSpan.FromMilliseconds(20),
            WriteIdleAfter = TimeSpan.Zero,
            FlushFailed = e =>
            {
                lock (failures)
                {
                    failures.Add(e);
                }
            },
        });
        var diskFull = new StoreUnavailableException("disk full");
        _backing.FailNextBatch = diskFull;

        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));

        await WaitUntil(() => _backing.Stored.Find(Bot, "손님") is not null);
        lock (failures)
        {
            Assert.Same(diskFull, Assert.Single(failures));
        }

        await WaitUntil(() => JournalSegments().Count == 0);
    }

    [Fact]
    public async Task Between_flushes_the_owners_check_runs_every_second_and_brings_no_flush_forward()
    {
        var checks = 0;
        var clock = Stopwatch.StartNew();
        using var sessions = Open(NoBackgroundFlush, betweenFlushes: () => Interlocked.Increment(ref checks));
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));

        await WaitUntil(() => Volatile.Read(ref checks) >= 3);

        Assert.True(clock.Elapsed >= 3 * JournaledSessionStore.BetweenFlushesEvery - TimeSpan.FromMilliseconds(100), "checked more often than every second");

        Assert.Null(_backing.Stored.Find(Bot, "손님"));
        Assert.NotEmpty(JournalSegments());
    }

    [Theory]
    [InlineData(100_000, 5, false)] // paced, in LiteDB transactions that hold little memory
    [InlineData(600, 0, true)] // behind (600 users made unflushed reach FlushThreshold): no pause, but the backing store still lets waiting calls in
    public async Task A_flush_gives_the_backing_store_a_pause_every_256_sessions_and_says_whether_it_is_catching_up(int flushThreshold, int pauseMilliseconds, bool catchingUp)
    {
        using var sessions = Open(NoBackgroundFlush with { FlushThreshold = flushThreshold, FlushPause = TimeSpan.FromMilliseconds(5) }, flusher: false);
        for (var i = 0; i < 600; i++)
        {
            await sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1));
        }

        sessions.Flush();

        Assert.Equal(600, _backing.Stored.Count(Bot));
        Assert.Equal([TimeSpan.FromMilliseconds(pauseMilliseconds), TimeSpan.FromMilliseconds(pauseMilliseconds)], _backing.Pauses);
        Assert.Equal([catchingUp], _backing.CatchingUp);
    }

    [Fact]
    public async Task A_paced_flush_goes_flat_out_and_catches_up_once_the_users_back_pressure_counts_reach_two_thirds_of_its_bound()
    {
        // 600 users, paced (under the threshold; 344 not handed over at the first pause, under 800 of a bound of 1,200);
        // while the flush is held after its first chunk, 750 users write (1,094 counted: none waits). At the second pause
        // 750 + 88 not handed over reach 800: no pause.
        using var sessions = Open(NoBackgroundFlush with { MaxUnflushedUsers = 1_200, FlushPause = TimeSpan.FromMilliseconds(5) }, flusher: false);
        for (var i = 0; i < 600; i++)
        {
            await sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1));
        }

        _backing.HoldBatchesAfter(257);
        Task flush;
        try
        {
            flush = Task.Run(sessions.Flush);
            _backing.WaitForHeldBatch();
            for (var i = 600; i < 1_350; i++)
            {
                await sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1)).WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        await flush.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([TimeSpan.FromMilliseconds(5), TimeSpan.Zero], _backing.Pauses);
        Assert.Equal([false], _backing.CatchingUp);
        Assert.Equal([true], _backing.CatchingUpAtTheEnd); // its next transactions are the larger ones
    }

    [Fact]
    public async Task A_session_missing_from_the_cache_is_read_from_the_backing_store_once()
    {
        _backing.Save(Bot, "손님", Sessions.Turn("손님", 1));
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;

        SessionAssert.Same(Sessions.Turn("손님", 1), sessions.Find(Bot, "손님"));
        SessionAssert.Same(Sessions.Turn("손님", 1), sessions.Find(Bot, "손님"));
        Assert.Equal(1, _backing.Finds);
        Assert.Equal(1, sessions.CachedCount);
    }

    [Fact]
    public async Task A_session_read_asynchronously_comes_from_the_backing_stores_asynchronous_read_once()
    {
        _backing.Save(Bot, "손님", Sessions.Turn("손님", 1));
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;

        SessionAssert.Same(Sessions.Turn("손님", 1), await sessions.FindAsync(Bot, "손님"));
        SessionAssert.Same(Sessions.Turn("손님", 1), await sessions.FindAsync(Bot, "손님")); // cached
        Assert.Null(await sessions.FindAsync(Bot, "처음 온 손님")); // ruled out by the filter
        Assert.Equal(1, _backing.AsyncFinds);
        Assert.Equal(1, _backing.Finds);
        Assert.Equal(1, sessions.CachedCount);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_session_deleted_between_its_read_and_its_caching_is_not_cached_once_it_is_gone(bool sweep, bool async)
    {
        _backing.Save(Bot, "손님", Sessions.Turn("손님", 1));
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;
        _backing.AfterFind = () =>
        {
            _backing.AfterFind = null;
            Assert.Equal(1, sweep ? sessions.DeleteInactiveSince(Bot, DateTimeOffset.MaxValue) : sessions.Delete(Bot, "손님") ? 1 : 0);
        };

        var read = async ? await sessions.FindAsync(Bot, "손님") : sessions.Find(Bot, "손님");

        SessionAssert.Same(Sessions.Turn("손님", 1), read); // read before the delete
        Assert.Null(await sessions.FindAsync(Bot, "손님"));
        Assert.Equal(0, sessions.Count(Bot));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_session_read_and_cached_while_it_is_being_deleted_is_not_cached_once_it_is_gone(bool sweep)
    {
        _backing.Save(Bot, "손님", Sessions.Turn("손님", 1));
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;
        _backing.BeforeDelete = () =>
        {
            _backing.BeforeDelete = null;
            SessionAssert.Same(Sessions.Turn("손님", 1), sessions.Find(Bot, "손님")); // read, and cached, before the delete
        };

        Assert.Equal(1, sweep ? sessions.DeleteInactiveSince(Bot, DateTimeOffset.MaxValue) : sessions.Delete(Bot, "손님") ? 1 : 0);

        Assert.Null(await sessions.FindAsync(Bot, "손님"));
        Assert.Equal(0, sessions.Count(Bot));
    }

    [Fact]
    public async Task A_flush_hands_over_the_users_known_never_stored_marked_first_then_the_others_each_kind_by_bot()
    {
        const string OtherBot = "꽃집봇";
        _backing.Save(Bot, "단골", Sessions.Turn("단골", 1));
        _backing.Save(OtherBot, "단골", Sessions.Turn("단골", 1));
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;
        for (var i = 0; i < 30; i++)
        {
            var bot = i % 2 == 0 ? OtherBot : Bot;
            await sessions.SaveAsync(bot, UserKey(i), Sessions.Turn(UserKey(i), 1));
            if (i == 10)
            {
                await sessions.SaveAsync(Bot, "단골", Sessions.Turn("단골", 2)); // stored already
                await sessions.SaveAsync(OtherBot, "단골", Sessions.Turn("단골", 2));
            }
        }

        sessions.Flush();
        await sessions.SaveAsync(Bot, UserKey(1), Sessions.Turn(UserKey(1), 2)); // stored by that flush
        sessions.Flush();

        var first = _backing.Batches[0];
        Assert.Equal(32, first.Count);
        Assert.All(first.Take(30), write => Assert.True(write.NeverStored, write.UserKey));
        Assert.Equal(Enumerable.Range(0, 30).Select(UserKey).Order(StringComparer.Ordinal), first.Take(30).Select(w => w.UserKey).Order(StringComparer.Ordinal));
        Assert.All(first.Skip(30), write => Assert.False(write.NeverStored, write.UserKey));
        Assert.Equal(["단골", "단골"], first.Skip(30).Select(w => w.UserKey));
        // Each kind in runs of one bot: the bot changes once among the new users and once among the others.
        Assert.Equal(1, first.Take(30).Zip(first.Skip(1).Take(29)).Count(pair => pair.First.BotId != pair.Second.BotId));
        Assert.NotEqual(first[30].BotId, first[31].BotId);
        Assert.False(Assert.Single(_backing.Batches[1]).NeverStored);
    }

    [Fact]
    public async Task A_user_never_stored_is_answered_without_a_backing_store_read_once_the_stored_users_are_known()
    {
        // More than one page of the scan that loads the stored users (10,000).
        const int Stored = 23_456;
        for (var i = 0; i < Stored; i++)
        {
            _backing.Save(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1));
        }

        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;
        Assert.True(sessions.KnowsNewUsers);

        for (var i = 0; i < 1_000; i++)
        {
            Assert.Null(sessions.Find(Bot, "새손님-" + i));
        }

        Assert.InRange(_backing.Finds, 0, 50); // the filter's false positives (about 1 %) are read

        // No stored user is ever answered as new, whichever page of the scan held them.
        for (var i = 0; i < Stored; i += 97)
        {
            SessionAssert.Same(Sessions.Turn(UserKey(i), 1), sessions.Find(Bot, UserKey(i)));
        }

        SessionAssert.Same(Sessions.Turn(UserKey(Stored - 1), 1), sessions.Find(Bot, UserKey(Stored - 1)));
    }

    [Fact]
    public async Task A_user_written_through_the_store_is_found_again_after_leaving_memory()
    {
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1, PackedCacheBytes = 0 });
        await sessions.KnownUsersLoaded;
        for (var i = 0; i < 200; i++)
        {
            await sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1));
        }

        sessions.Flush(); // trims the cache to one session: the others are only in the backing store

        for (var i = 0; i < 200; i++)
        {
            SessionAssert.Same(Sessions.Turn(UserKey(i), 1), sessions.Find(Bot, UserKey(i)));
        }
    }

    [Fact]
    public async Task Until_the_stored_users_are_known_a_user_not_in_memory_is_read_from_the_backing_store()
    {
        _backing.Save(Bot, "손님", Sessions.Turn("손님", 1));
        _backing.HoldScan();
        using var sessions = Open(NoBackgroundFlush);

        Assert.Null(sessions.Find(Bot, "새손님"));
        SessionAssert.Same(Sessions.Turn("손님", 1), sessions.Find(Bot, "손님"));
        Assert.Equal(2, _backing.Finds);
        Assert.False(sessions.KnowsNewUsers);

        _backing.ReleaseScan();
        await sessions.KnownUsersLoaded;

        Assert.Null(sessions.Find(Bot, "또다른손님"));
        Assert.Equal(2, _backing.Finds);
    }

    [Fact]
    public async Task A_sweep_waits_for_the_scan_of_stored_users_to_end()
    {
        _backing.Save(Bot, "옛손님", Sessions.LastSeen(Sessions.At.AddDays(-40)));
        _backing.HoldScan();
        using var sessions = Open(NoBackgroundFlush);

        var sweep = Task.Run(() => sessions.DeleteInactiveSince(Bot, Sessions.At));
        await Task.Delay(300);
        Assert.False(sweep.IsCompleted);
        Assert.NotNull(_backing.Stored.Find(Bot, "옛손님"));

        _backing.ReleaseScan();
        Assert.Equal(1, await sweep.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(_backing.Stored.Find(Bot, "옛손님"));
    }

    [Fact]
    public async Task A_failed_scan_leaves_every_user_not_in_memory_read_from_the_backing_store()
    {
        _backing.FailScan = new StoreUnavailableException("disk gone");
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;

        Assert.False(sessions.KnowsNewUsers);
        Assert.Null(sessions.Find(Bot, "새손님"));
        Assert.Equal(1, _backing.Finds);
    }

    [Fact]
    public async Task Users_written_beyond_the_cache_capacity_are_held_as_records_read_and_flushed_whole()
    {
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 3 });
        for (var i = 0; i < 20; i++)
        {
            await sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), i));
        }

        Assert.Equal(20, sessions.CachedCount);
        Assert.Equal(3, sessions.ObjectsHeld);
        for (var i = 0; i < 20; i++)
        {
            SessionAssert.Same(Sessions.Turn(UserKey(i), i), sessions.Find(Bot, UserKey(i)));
        }

        // A user's next write replaces their entry, as a record again while the others wait for the flush.
        await sessions.SaveAsync(Bot, UserKey(19), Sessions.Turn(UserKey(19), 40));
        SessionAssert.Same(Sessions.Turn(UserKey(19), 40), sessions.Find(Bot, UserKey(19)));

        sessions.Flush();

        for (var i = 0; i < 19; i++)
        {
            SessionAssert.Same(Sessions.Turn(UserKey(i), i), _backing.Stored.Find(Bot, UserKey(i)));
        }

        SessionAssert.Same(Sessions.Turn(UserKey(19), 40), _backing.Stored.Find(Bot, UserKey(19)));
        Assert.Equal(0, _backing.Finds);
    }

    [Fact]
    public async Task Counting_adds_the_users_not_flushed_yet_without_flushing()
    {
        using var sessions = Open(NoBackgroundFlush);
        await sessions.SaveAsync(Bot, "단골", Sessions.Turn("단골", 1));
        sessions.Flush();
        await sessions.KnownUsersLoaded;
        await sessions.SaveAsync(Bot, "단골", Sessions.Turn("단골", 2)); // stored, and written again since
        await sessions.SaveAsync(Bot, "새손님", Sessions.Turn("새손님", 1));
        await sessions.SaveAsync("다른봇", "새손님", Sessions.Turn("새손님", 1));
        var segments = JournalSegments();

        Assert.Equal(2, sessions.Count(Bot));
        Assert.Equal(1, sessions.Count("다른봇"));
        Assert.Single(_backing.Batches); // the first flush only
        Assert.Equal(segments, JournalSegments());
        Assert.Equal(0, _backing.Finds);
    }

    [Fact]
    public async Task A_user_written_without_being_read_is_looked_up_once_when_counted()
    {
        _backing.Save(Bot, "예전손님", Sessions.Turn("예전손님", 1)); // stored by an earlier run
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;

        await sessions.SaveAsync(Bot, "예전손님", Sessions.Turn("예전손님", 2)); // no Find first: stored or not is not known

        Assert.Equal(1, sessions.Count(Bot));
        Assert.Equal(1, _backing.Finds);
    }

    [Fact]
    public async Task New_users_of_a_batch_that_failed_after_storing_some_of_them_are_counted_once()
    {
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;
        for (var i = 0; i < 6; i++)
        {
            await sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1)); // new users: known not to be stored
        }

        _backing.FailNextBatch = new StoreUnavailableException("disk full");
        _backing.StoredBeforeTheFailure = 4;
        Assert.Throws<StoreUnavailableException>(sessions.Flush);

        Assert.Equal(4, _backing.Stored.Count(Bot));
        Assert.Equal(6, sessions.Count(Bot));
        sessions.Flush();
        Assert.Equal(6, sessions.Count(Bot));
        // Written again without the marks: any of them may be stored now, and a mark would fail the batch for good.
        Assert.All(Assert.Single(_backing.Batches), write => Assert.False(write.NeverStored, write.UserKey));
    }

    [Fact]
    public async Task A_user_who_writes_while_a_flush_stores_their_last_write_is_counted_once()
    {
        using var sessions = Open(NoBackgroundFlush);
        await sessions.KnownUsersLoaded;
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));
        _backing.HoldBatches();
        var flushing = Task.Run(sessions.Flush);
        _backing.WaitForHeldBatch();

        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 2));
        _backing.ReleaseBatches();
        await flushing;

        Assert.Equal(1, sessions.Count(Bot));
        Assert.Equal(1, sessions.UnflushedUsers);
    }

    [Fact]
    public async Task A_write_made_while_a_flush_stores_the_users_previous_one_stays_unflushed_and_survives_a_failed_write_after_it()
    {
        using var files = new FakeJournalFiles();
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        using var sessions = new JournaledSessionStore(_backing, new SessionJournal(StoreFile, 1, files: files), NoBackgroundFlush);
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));
        _backing.HoldBatches();
        var flushing = Task.Run(sessions.Flush);
        _backing.WaitForHeldBatch(); // the flush has taken turn 1

        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 2)); // acknowledged while turn 1 is being stored
        _backing.ReleaseBatches();
        await flushing;
        SessionAssert.Same(Sessions.Turn("손님", 1), _backing.Stored.Find(Bot, "손님"));

        // Turn 2 is still the unflushed latest: a failed write after it must put it back, not the stored turn 1.
        files.FailWrites = true;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 3)));
        files.FailWrites = false;

        SessionAssert.Same(Sessions.Turn("손님", 2), sessions.Find(Bot, "손님"));
        sessions.Flush();
        SessionAssert.Same(Sessions.Turn("손님", 2), _backing.Stored.Find(Bot, "손님"));
    }

    [Fact]
    public async Task Writes_racing_with_flushes_that_evict_the_cache_leave_each_users_latest_write_readable_and_stored()
    {
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 2, PackedCacheBytes = 4 * 1024 });
        const int Users = 40;
        var latest = new ConcurrentDictionary<string, Session>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var flusher = FlushLoop.Run(sessions.FlushInBackground, stop.Token); // writes every user (WriteIdleAfter 0) and trims the cache to 2

        // Each user reads then writes, one turn at a time, as the host does.
        await Task.WhenAll(Enumerable.Range(0, Users).Select(i => Task.Run(async () =>
        {
            for (var turn = 1; turn <= 60; turn++)
            {
                var seen = sessions.Find(Bot, UserKey(i));
                if (turn > 1)
                {
                    SessionAssert.Same(latest[UserKey(i)], seen);
                }

                var session = Sessions.Turn(UserKey(i), turn);
                await sessions.SaveAsync(Bot, UserKey(i), session);
                latest[UserKey(i)] = session;
            }
        })));
        await stop.CancelAsync();
        var flushes = await flusher;

        Assert.True(flushes > 1, "the flusher did not run during the writes");
        sessions.Flush();
        for (var i = 0; i < Users; i++)
        {
            SessionAssert.Same(latest[UserKey(i)], sessions.Find(Bot, UserKey(i)));
            SessionAssert.Same(latest[UserKey(i)], _backing.Stored.Find(Bot, UserKey(i)));
        }
    }

    [Fact]
    public async Task Deleting_and_sweeping_flush_first_so_they_see_every_acknowledged_write()
    {
        using var sessions = Open(NoBackgroundFlush);
        await sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 1));
        await sessions.SaveAsync(Bot, "b", Sessions.Turn("b", 1));

        Assert.Equal(2, sessions.Count(Bot));
        await sessions.SaveAsync(Bot, "c", Sessions.Turn("c", 1));
        Assert.True(sessions.Delete(Bot, "c"));
        Assert.Null(_backing.Stored.Find(Bot, "c"));
        await sessions.SaveAsync(Bot, "d", Sessions.Turn("d", 1));
        Assert.Equal(3, sessions.DeleteInactiveSince(Bot, Sessions.At.AddDays(1)));
        Assert.Equal(0, _backing.Stored.Count(Bot));
        Assert.Null(sessions.Find(Bot, "a"));
        Assert.Empty(JournalSegments());
    }

    [Fact]
    public async Task Disposing_writes_what_is_dirty_deletes_the_journal_and_refuses_later_writes()
    {
        var sessions = Open(NoBackgroundFlush);
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));

        sessions.Dispose();

        SessionAssert.Same(Sessions.Turn("손님", 1), _backing.Stored.Find(Bot, "손님"));
        Assert.Empty(JournalSegments());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 2)));
        sessions.Dispose();
    }

    [Fact]
    public async Task A_session_trimmed_from_the_object_cache_is_read_back_from_its_packed_record_not_the_backing_store()
    {
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1 });
        await sessions.SaveAsync(Bot, "앞손님", Sessions.Turn("앞손님", 1));
        await sessions.SaveAsync(Bot, "뒷손님", Sessions.Turn("뒷손님", 2));
        sessions.Flush();
        Assert.Equal((1, 1), (sessions.CachedCount, sessions.Packed.Count));

        SessionAssert.Same(Sessions.Turn("앞손님", 1), sessions.Find(Bot, "앞손님"));
        SessionAssert.Same(Sessions.Turn("뒷손님", 2), sessions.Find(Bot, "뒷손님"));

        Assert.Equal(0, _backing.Finds);
        Assert.Equal((2, 0), (sessions.CachedCount, sessions.Packed.Count));
    }

    [Fact]
    public async Task Without_a_packed_cache_a_trimmed_session_is_read_from_the_backing_store()
    {
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1, PackedCacheBytes = 0 });
        await sessions.SaveAsync(Bot, "앞손님", Sessions.Turn("앞손님", 1));
        await sessions.SaveAsync(Bot, "뒷손님", Sessions.Turn("뒷손님", 2));
        sessions.Flush();

        SessionAssert.Same(Sessions.Turn("앞손님", 1), sessions.Find(Bot, "앞손님"));
        Assert.Equal(1, _backing.Finds);
        Assert.Equal(0, sessions.Packed.Count);
    }

    [Fact]
    public async Task The_packed_cache_keeps_to_its_bytes_dropping_the_least_recently_used()
    {
        var record = SessionRecord.Write(Bot, UserKey(0), Sessions.Turn(UserKey(0), 1));
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1, PackedCacheBytes = 5 * (record.Length + 200) });
        for (var i = 0; i < 40; i++)
        {
            await sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1));
        }

        sessions.Flush();

        Assert.InRange(sessions.Packed.Count, 1, 5);
        Assert.NotNull(sessions.Find(Bot, UserKey(38))); // among the latest: packed
        Assert.Equal(0, _backing.Finds);
        Assert.NotNull(sessions.Find(Bot, UserKey(0))); // the oldest: dropped, read from the backing store
        Assert.Equal(1, _backing.Finds);
    }

    [Fact]
    public async Task Deleting_and_sweeping_remove_packed_sessions_too()
    {
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1 });
        await sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 1));
        await sessions.SaveAsync(Bot, "b", Sessions.Turn("b", 1));
        await sessions.SaveAsync(Bot, "c", Sessions.Turn("c", 5));
        sessions.Flush();
        Assert.Equal(2, sessions.Packed.Count);

        Assert.True(sessions.Delete(Bot, "a"));
        Assert.Null(sessions.Find(Bot, "a"));
        Assert.Equal(1, sessions.DeleteInactiveSince(Bot, Sessions.Turn("b", 3).LastMessageAt!.Value));
        Assert.Null(sessions.Find(Bot, "b"));
        SessionAssert.Same(Sessions.Turn("c", 5), sessions.Find(Bot, "c"));
    }

    [Fact]
    public async Task A_sweep_keeps_the_sessions_held_as_records_of_users_who_wrote_since_its_cutoff()
    {
        // Past the cache's capacity the entries hold only their record: the sweep and the packing read the last message's
        // time from it. Read wrong (none), b would leave the packed cache and c the object cache, to be read again from
        // the backing store.
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1 });
        await sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 1)); // held as objects: the first
        await sessions.SaveAsync(Bot, "b", Sessions.Turn("b", 5));
        await sessions.SaveAsync(Bot, "c", Sessions.Turn("c", 6));
        sessions.Flush();
        Assert.Equal(2, sessions.Packed.Count); // a and b; c, the most recent, stays in the object cache

        Assert.Equal(1, sessions.DeleteInactiveSince(Bot, Sessions.Turn("b", 3).LastMessageAt!.Value));
        Assert.Equal(1, sessions.Packed.Count);
        var finds = _backing.Finds;
        SessionAssert.Same(Sessions.Turn("b", 5), sessions.Find(Bot, "b"));
        SessionAssert.Same(Sessions.Turn("c", 6), sessions.Find(Bot, "c"));
        Assert.Equal(finds, _backing.Finds);
        Assert.Null(sessions.Find(Bot, "a"));
    }

    [Fact]
    public async Task A_background_flush_trims_the_cache_beside_it_so_the_next_flush_writes_while_the_trim_runs()
    {
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1 }, flusher: false);
        await sessions.SaveAsync(Bot, "앞손님", Sessions.Turn("앞손님", 1));
        await sessions.SaveAsync(Bot, "뒷손님", Sessions.Turn("뒷손님", 1));
        var trim = new HeldTrim(sessions, "앞손님");
        try
        {
            await Task.Run(sessions.FlushInBackground).WaitAsync(TimeSpan.FromSeconds(5)); // returns with its trim held
            await trim.Reached;

            // The next flush writes, and ends, while the trim is held: it asks for another trim and does not wait for it.
            await sessions.SaveAsync(Bot, "새손님", Sessions.Turn("새손님", 1));
            await Task.Run(sessions.FlushInBackground).WaitAsync(TimeSpan.FromSeconds(5));
            SessionAssert.Same(Sessions.Turn("새손님", 1), _backing.Stored.Find(Bot, "새손님"));
            Assert.Equal(0, sessions.Packed.Count);
        }
        finally
        {
            trim.Release();
        }

        // The trim asked for meanwhile runs once the held one ends, and trims the second flush's users too.
        await WaitUntil(() => sessions.Packed.Count == 2);
        Assert.Equal(1, sessions.CachedCount);
        Assert.Equal(2, _backing.Batches.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_session_deleted_while_a_trim_beside_a_flush_is_moving_it_is_not_put_back_into_the_packed_cache(bool sweep)
    {
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1 }, flusher: false);
        await sessions.SaveAsync(Bot, "앞손님", Sessions.Turn("앞손님", 1));
        await sessions.SaveAsync(Bot, "뒷손님", Sessions.Turn("뒷손님", 1));
        var trim = new HeldTrim(sessions, "앞손님");
        Task<int> delete;
        try
        {
            await Task.Run(sessions.FlushInBackground).WaitAsync(TimeSpan.FromSeconds(5));
            await trim.Reached; // the trim has chosen 앞손님's clean entry and is about to pack it

            delete = Task.Run(() => sweep ? sessions.DeleteInactiveSince(Bot, Sessions.At.AddDays(1)) : sessions.Delete(Bot, "앞손님") ? 1 : 0);
            await Task.WhenAny(delete, Task.Delay(200));
            Assert.False(delete.IsCompleted); // it waits for the trim (deleting first, the trim would pack it after)
        }
        finally
        {
            trim.Release();
        }

        Assert.Equal(sweep ? 2 : 1, await delete.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Null(sessions.Find(Bot, "앞손님"));
        Assert.Null(_backing.Stored.Find(Bot, "앞손님"));
        Assert.Equal(0, sessions.Packed.Count);
    }

    [Fact]
    public async Task A_trim_that_fails_beside_a_flush_is_reported_by_the_next_and_the_next_trim_works()
    {
        var failures = new ConcurrentQueue<Exception>();
        using var sessions = Open(NoBackgroundFlush with { CacheCapacity = 1, FlushFailed = failures.Enqueue }, flusher: false);
        await sessions.SaveAsync(Bot, "앞손님", Sessions.Turn("앞손님", 1));
        await sessions.SaveAsync(Bot, "뒷손님", Sessions.Turn("뒷손님", 1));
        var broken = new InvalidOperationException("a bug in the trim");
        var thrown = 0;
        sessions.Trimming = _ =>
        {
            if (Interlocked.Exchange(ref thrown, 1) == 0)
            {
                throw broken;
            }
        };

        await WaitUntil(() =>
        {
            sessions.FlushInBackground(); // the first asks for the failing trim; a later one reports it
            return !failures.IsEmpty;
        });
        await sessions.SaveAsync(Bot, "새손님", Sessions.Turn("새손님", 1));
        sessions.FlushInBackground();

        await WaitUntil(() => sessions.Packed.Count == 2);
        Assert.Same(broken, Assert.Single(failures));
        Assert.Equal(1, sessions.CachedCount);
    }

    /// <summary>Holds the first trim that reaches <paramref name="userKey"/> there (before the user's gate), until released (30 s at most).</summary>
    private sealed class HeldTrim
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _taken;

        public HeldTrim(JournaledSessionStore sessions, string userKey) =>
            sessions.Trimming = key =>
            {
                if (key == userKey && Interlocked.Exchange(ref _taken, 1) == 0)
                {
                    _held.SetResult();
                    _release.Task.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult(); // on the trimmer's thread
                }
            };

        public Task Reached => _held.Task.WaitAsync(TimeSpan.FromSeconds(5));

        public void Release() => _release.TrySetResult();
    }

    [Fact]
    public async Task Past_the_unflushed_users_limit_a_new_user_waits_for_the_flusher_so_memory_holds_at_most_twice_the_limit()
    {
        using var sessions = await OpenAtTheUnflushedLimitOfTwo();
        _backing.HoldBatches();

        // c must wait: it wakes the flusher, which takes a and b as its batch and hands them over (it is held after
        // that, writing them); c then goes in.
        await sessions.SaveAsync(Bot, "c", Sessions.Turn("c", 1));
        _backing.WaitForHeldBatch();
        await sessions.SaveAsync(Bot, "d", Sessions.Turn("d", 1));
        await sessions.SaveAsync(Bot, "c", Sessions.Turn("c", 2)); // a user already waiting for the flush is not held back

        var e = sessions.SaveAsync(Bot, "e", Sessions.Turn("e", 1));
        try
        {
            Assert.False(e.IsCompleted);
            Assert.Equal(2, sessions.UnflushedUsers);
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        await e;
        sessions.Flush();
        Assert.Equal(["a", "b"], _backing.Batches[0].Select(write => write.UserKey).Order(StringComparer.Ordinal));
        SessionAssert.Same(Sessions.Turn("e", 1), _backing.Stored.Find(Bot, "e"));
        SessionAssert.Same(Sessions.Turn("c", 2), _backing.Stored.Find(Bot, "c"));
    }

    [Fact]
    public async Task A_new_user_held_back_goes_in_as_soon_as_the_running_flush_has_written_as_many_users_not_at_its_end()
    {
        // 300 users unflushed, the limit; the flush writing them is held after 257 of them, so one chunk (256) is the
        // backing store's. That lets 256 new users in, not more; the rest of the batch still counts until it is written.
        const int limit = 300;
        using var sessions = Open(NoBackgroundFlush with { MaxUnflushedUsers = limit, BackPressureTimeout = TimeSpan.FromMinutes(1) });
        for (var i = 0; i < limit; i++)
        {
            await sessions.SaveAsync(Bot, $"u{i}", Sessions.Turn($"u{i}", 1));
        }

        _backing.HoldBatchesAfter(257);
        try
        {
            var first = sessions.SaveAsync(Bot, "w0", Sessions.Turn("w0", 1)); // waits, and wakes the flusher
            _backing.WaitForHeldBatch();
            await first.WaitAsync(TimeSpan.FromSeconds(5));
            for (var i = 1; i < 256; i++)
            {
                await sessions.SaveAsync(Bot, $"w{i}", Sessions.Turn($"w{i}", 1)).WaitAsync(TimeSpan.FromSeconds(5));
            }

            var held = sessions.SaveAsync(Bot, "w256", Sessions.Turn("w256", 1));
            Assert.Equal(256, sessions.UnflushedUsers);
            await HeldUntilTheBatchIsReleased(held); // then handed over whole: 257 unflushed users, under the limit
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        sessions.Flush(); // after the held one (and any the waiting writes woke the flusher for)
        Assert.Equal(limit, _backing.Batches[0].Count);
        Assert.Equal(limit + 257, _backing.Batches.Sum(batch => batch.Count));
        SessionAssert.Same(Sessions.Turn("w256", 1), _backing.Stored.Find(Bot, "w256"));
    }

    [Fact]
    public async Task A_user_whose_session_the_running_flush_is_writing_is_not_held_back_another_is()
    {
        using var sessions = await OpenAtTheUnflushedLimitOfTwo();
        _backing.HoldBatchesAfter(1); // a and b stay counted: not handed over whole
        try
        {
            var c = sessions.SaveAsync(Bot, "c", Sessions.Turn("c", 1)); // waits, and wakes the flusher
            _backing.WaitForHeldBatch();

            // a's write in the batch is held already: its next one replaces it in memory and goes in.
            await sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 2)).WaitAsync(TimeSpan.FromSeconds(5));
            await HeldUntilTheBatchIsReleased(c);
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        sessions.Flush();
        SessionAssert.Same(Sessions.Turn("a", 2), _backing.Stored.Find(Bot, "a"));
        SessionAssert.Same(Sessions.Turn("c", 1), _backing.Stored.Find(Bot, "c"));
    }

    [Fact]
    public async Task The_users_of_a_failed_flush_count_for_back_pressure_again()
    {
        using var sessions = await OpenAtTheUnflushedLimitOfTwo();
        _backing.FailNextBatch = new StoreUnavailableException("disk full");
        Assert.Throws<StoreUnavailableException>(sessions.Flush);
        Assert.Equal(2, sessions.UnflushedUsers);

        _backing.HoldBatchesAfter(1); // the flush c wakes is held before it has handed a and b over: c waits for it
        try
        {
            var c = sessions.SaveAsync(Bot, "c", Sessions.Turn("c", 1));
            _backing.WaitForHeldBatch();
            await HeldUntilTheBatchIsReleased(c);
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        sessions.Flush();
        Assert.Equal(3, _backing.Stored.Count(Bot));
    }

    /// <summary>A store that holds back new users past 2 unflushed ones (waiting up to a minute), with a and b unflushed.</summary>
    private async Task<JournaledSessionStore> OpenAtTheUnflushedLimitOfTwo()
    {
        var sessions = Open(NoBackgroundFlush with { MaxUnflushedUsers = 2, BackPressureTimeout = TimeSpan.FromMinutes(1) });
        await sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 1));
        await sessions.SaveAsync(Bot, "b", Sessions.Turn("b", 1));
        return sessions;
    }

    /// <summary>Asserts that <paramref name="write"/> waits while the backing store holds its batch, and completes once it is let go.</summary>
    private async Task HeldUntilTheBatchIsReleased(Task write)
    {
        await Task.Delay(100);
        Assert.False(write.IsCompleted);
        _backing.ReleaseBatches();
        await write.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_write_held_back_longer_than_the_timeout_fails_as_unavailable_and_is_not_kept()
    {
        using var sessions = Open(NoBackgroundFlush with { MaxUnflushedUsers = 1, BackPressureTimeout = TimeSpan.FromMilliseconds(50) });
        await sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 1));
        _backing.HoldBatches();
        try
        {
            await sessions.SaveAsync(Bot, "b", Sessions.Turn("b", 1)); // the flusher took a and is held
            _backing.WaitForHeldBatch();

            await Assert.ThrowsAsync<StoreUnavailableException>(() => sessions.SaveAsync(Bot, "c", Sessions.Turn("c", 1)));

            Assert.Null(sessions.Find(Bot, "c"));
        }
        finally
        {
            _backing.ReleaseBatches(); // or disposing the store would wait for the held flush for ever
        }
    }

    [Fact]
    public async Task Past_the_journal_bytes_limit_every_write_waits_until_the_flusher_deleted_the_segments()
    {
        using var sessions = Open(NoBackgroundFlush with { MaxJournalBytes = 1, BackPressureTimeout = TimeSpan.FromMinutes(1) });
        _backing.HoldBatches();
        await sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 1)); // the journal is over its bound: the flusher is woken
        _backing.WaitForHeldBatch();

        // The same user: not an unflushed user more, but the journal is over its bound while the flush is held.
        var second = sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 2));
        try
        {
            await Task.Delay(100);
            Assert.False(second.IsCompleted);
            Assert.NotEmpty(JournalSegments());
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        // Done only after the flush wrote the first write and deleted its segment (a second flush may follow).
        await second;
        SessionAssert.Same(Sessions.Turn("a", 1), Assert.Single(_backing.Batches[0]).Session);
    }

    private JournaledSessionStore Open(SessionStoreOptions options, Action? betweenFlushes = null, bool flusher = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        return new JournaledSessionStore(_backing, new SessionJournal(StoreFile, 1), options, flusher: flusher, betweenFlushes: betweenFlushes);
    }

    private static string UserKey(int i) => "손님-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
