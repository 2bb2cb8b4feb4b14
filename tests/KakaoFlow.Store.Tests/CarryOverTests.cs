using System.Collections.Concurrent;
using System.Globalization;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// A background flush writes to the backing store only the users who stopped writing (<see cref="SessionStoreOptions.WriteIdleAfter"/>)
/// and carries the others over: their latest write is appended again to the new journal segment, so the old segments
/// go all the same and nothing acknowledged lives only in memory. The segments are read here as a start after a crash
/// would replay them.
/// </summary>
public sealed class CarryOverTests : TempStoreFile
{
    private const string Bot = "피자봇";

    private static readonly SessionStoreOptions Options = new() { FlushInterval = TimeSpan.FromHours(1), WriteIdleAfter = TimeSpan.FromSeconds(15) };

    private readonly RecordingBackingStore _backing = new();
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Users_still_writing_are_carried_over_to_the_new_segment_and_the_old_segments_are_deleted()
    {
        using var sessions = Open(Options);
        for (var turn = 1; turn <= 3; turn++)
        {
            for (var i = 0; i < 5; i++)
            {
                await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), turn));
            }
        }

        var before = JournalSegments();
        sessions.FlushInBackground();

        Assert.Empty(_backing.Batches);
        var after = Assert.Single(JournalSegments());
        Assert.DoesNotContain(after, before);
        var replayed = Replay(after);
        Assert.Equal(5, replayed.Count);
        for (var i = 0; i < 5; i++)
        {
            SessionAssert.Same(Sessions.Turn(User(i), 3), replayed[User(i)]);
            SessionAssert.Same(Sessions.Turn(User(i), 3), sessions.Find(Bot, User(i)));
        }

        Assert.Equal(5, sessions.UnflushedUsers);
    }

    [Fact]
    public async Task A_rush_of_users_who_each_wrote_once_is_left_in_its_segment_until_carrying_it_over_halves_the_journal()
    {
        // A deploy or a broadcast: every user has one turn within seconds and reaches the flush threshold. Appending all
        // of them again would copy the journal, not shrink it, while their next turns are being answered.
        using var sessions = Open(Options with { FlushThreshold = 50 });
        var appendedAgain = 0;
        sessions.CarryingOver = _ => appendedAgain++;
        for (var i = 0; i < 50; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 1));
        }

        var before = JournalSizes();
        sessions.FlushInBackground();

        Assert.Empty(_backing.Batches);
        Assert.Equal(0, appendedAgain);
        Assert.Equal(before, JournalSizes());
        Assert.Equal(50, sessions.UnflushedUsers);
        Assert.Equal(50, Replay([.. JournalSegments()]).Count);

        // Their second turns: the journal now holds twice what carrying them over appends, so the next flush does it.
        _time.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 50; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 2));
        }

        sessions.FlushInBackground();

        Assert.Empty(_backing.Batches);
        Assert.Equal(50, appendedAgain);
        var carried = Assert.Single(JournalSegments());
        Assert.DoesNotContain(carried, before.Keys);
        var replayed = Replay(carried);
        for (var i = 0; i < 50; i++)
        {
            SessionAssert.Same(Sessions.Turn(User(i), 2), replayed[User(i)]);
        }

        // Once quiet they are written, as always, and not as a flush that is behind: the threshold counted them once.
        _time.Advance(TimeSpan.FromSeconds(16));
        sessions.FlushInBackground();
        Assert.Equal(50, Assert.Single(_backing.Batches).Count);
        Assert.Equal([false], _backing.CatchingUp);
        Assert.Empty(JournalSegments());
    }

    [Fact]
    public async Task A_rush_is_not_left_in_its_segments_when_someone_is_to_be_written()
    {
        using var sessions = Open(Options);
        await sessions.SaveAsync(Bot, "다 고른 손님", Sessions.Turn("다 고른 손님", 1));
        _time.Advance(TimeSpan.FromSeconds(16));
        for (var i = 0; i < 20; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 1));
        }

        var before = JournalSegments();
        sessions.FlushInBackground();

        Assert.Equal("다 고른 손님", Assert.Single(Assert.Single(_backing.Batches)).UserKey);
        var after = Assert.Single(JournalSegments());
        Assert.DoesNotContain(after, before);
        Assert.Equal(20, Replay(after).Count);
    }

    [Fact]
    public async Task A_user_who_stopped_writing_is_written_and_one_still_writing_is_carried_over()
    {
        using var sessions = Open(Options);
        await sessions.SaveAsync(Bot, "다 고른 손님", Sessions.Turn("다 고른 손님", 1));
        _time.Advance(TimeSpan.FromSeconds(16));
        await sessions.SaveAsync(Bot, "고르는 손님", Sessions.Turn("고르는 손님", 1));
        _time.Advance(TimeSpan.FromSeconds(14));

        sessions.FlushInBackground();

        var written = Assert.Single(Assert.Single(_backing.Batches));
        Assert.Equal("다 고른 손님", written.UserKey);
        Assert.Null(_backing.Stored.Find(Bot, "고르는 손님"));
        var replayed = Replay(Assert.Single(JournalSegments()));
        SessionAssert.Same(Sessions.Turn("고르는 손님", 1), Assert.Single(replayed).Value);

        // Quiet for long enough: the next background flush writes them, and no segment is left.
        _time.Advance(TimeSpan.FromSeconds(2));
        sessions.FlushInBackground();
        SessionAssert.Same(Sessions.Turn("고르는 손님", 1), _backing.Stored.Find(Bot, "고르는 손님"));
        Assert.Empty(JournalSegments());
        Assert.Equal(0, sessions.UnflushedUsers);
    }

    [Theory]
    [InlineData(1)] // left in their segment: carrying them over would not halve the journal
    [InlineData(2)] // appended again to a new segment
    public async Task Users_carried_over_then_written_once_quiet_are_not_a_flush_that_is_behind(int writesEach)
    {
        // The flush threshold counts the users made unflushed since the last flush, not those it carried over: a quiet
        // host writing the users of a busy minute is not behind however many they are, so it writes them paced, in the
        // backing store's small transactions.
        using var sessions = Open(Options with { FlushThreshold = 3 });
        for (var turn = 1; turn <= writesEach; turn++)
        {
            for (var i = 0; i < 3; i++)
            {
                await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), turn));
            }
        }

        var before = JournalSizes();
        sessions.FlushInBackground(); // all three still writing: carried over
        Assert.Empty(_backing.Batches);
        Assert.Equal(writesEach == 1, JournalSizes().SequenceEqual(before));
        _time.Advance(TimeSpan.FromSeconds(16));
        sessions.FlushInBackground();

        Assert.Equal(3, Assert.Single(_backing.Batches).Count);
        Assert.Equal([false], _backing.CatchingUp);
    }

    [Fact]
    public async Task A_flush_with_the_journal_half_way_to_its_bound_is_behind()
    {
        var frame = SessionRecord.Write(Bot, User(0), Sessions.Turn(User(0), 1)).Length + JournalFrames.HeaderBytes;
        using var sessions = Open(Options with { MaxJournalBytes = 8 * frame }); // few users, far below the threshold
        for (var i = 0; i < 5; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 1));
        }

        sessions.FlushInBackground(); // half way: everyone written, nobody carried over

        Assert.Equal(5, Assert.Single(_backing.Batches).Count);
        Assert.Equal([true], _backing.CatchingUp);
    }

    [Fact]
    public async Task An_explicit_flush_and_closing_write_every_user()
    {
        var sessions = Open(Options);
        await sessions.SaveAsync(Bot, "손님-1", Sessions.Turn("손님-1", 1));
        sessions.Flush();
        SessionAssert.Same(Sessions.Turn("손님-1", 1), _backing.Stored.Find(Bot, "손님-1"));

        await sessions.SaveAsync(Bot, "손님-2", Sessions.Turn("손님-2", 1));
        sessions.FlushInBackground();
        Assert.Null(_backing.Stored.Find(Bot, "손님-2"));
        sessions.Dispose();

        SessionAssert.Same(Sessions.Turn("손님-2", 1), _backing.Stored.Find(Bot, "손님-2"));
        Assert.Empty(JournalSegments());
    }

    [Theory]
    [InlineData(true)] // MaxCarriedOverUsers
    [InlineData(false)] // a fifth of MaxJournalBytes in records
    public async Task No_more_users_are_carried_over_than_their_bound_nor_than_a_fifth_of_the_journals_bound_in_records(bool byUsers)
    {
        // Twice what a flush carried over is when the next one starts early; carrying more than a fifth would leave the
        // journal half way to its bound first, and that flush would write everyone.
        var record = SessionRecord.Write(Bot, User(0), Sessions.Turn(User(0), 1)).Length;
        using var sessions = Open(byUsers ? Options with { MaxCarriedOverUsers = 3 } : Options with { MaxJournalBytes = 5 * (3 * record + record / 2) });
        for (var i = 0; i < 5; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 1));
        }

        sessions.FlushInBackground();

        Assert.Equal(2, Assert.Single(_backing.Batches).Count);
        Assert.Equal(3, Replay(Assert.Single(JournalSegments())).Count);
        Assert.Equal(3, sessions.UnflushedUsers);
    }

    [Fact]
    public async Task Beyond_the_flush_threshold_only_users_who_wrote_more_than_once_are_carried_over()
    {
        // A rush of new users, who each write once: carrying them over appends each again, while turns wait for the flush.
        // Users in a conversation (every user of a busy bot) are carried over up to MaxCarriedOverUsers.
        using var sessions = Open(Options with { FlushThreshold = 3, MaxCarriedOverUsers = 10 });
        for (var i = 0; i < 5; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 1));
        }

        sessions.FlushInBackground();

        Assert.Equal(2, Assert.Single(_backing.Batches).Count);
        Assert.Equal(3, sessions.UnflushedUsers);

        // Each wrote again: all five are carried over.
        for (var i = 0; i < 5; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 2));
        }

        sessions.FlushInBackground();

        Assert.Single(_backing.Batches);
        Assert.Equal(5, sessions.UnflushedUsers);
    }

    [Fact]
    public async Task Users_carried_over_who_go_quiet_together_do_not_hold_back_a_new_users_turn_while_they_are_written()
    {
        // Back-pressure never counted them (carried over), so writing them must not count them either: a crowd leaving a
        // broadcast together would otherwise make every new user wait until most of the crowd is in the backing store.
        using var sessions = OpenWithFourQuietCarriedUsers();
        _backing.HoldBatchesAfter(1);
        var flush = Task.Run(sessions.FlushInBackground);
        try
        {
            _backing.WaitForHeldBatch(); // one handed over, three still to write
            await sessions.SaveAsync(Bot, "새 손님", Sessions.Turn("새 손님", 1)).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        await flush;
        Assert.Equal(4, Assert.Single(_backing.Batches).Count);
    }

    [Fact]
    public async Task A_failed_flush_of_users_carried_over_does_not_count_them_for_back_pressure_afterwards()
    {
        using var sessions = OpenWithFourQuietCarriedUsers();
        _backing.FailNextBatch = new StoreUnavailableException("disk full");
        Assert.ThrowsAny<StoreException>(sessions.FlushInBackground);
        Assert.Equal(4, sessions.UnflushedUsers);

        await sessions.SaveAsync(Bot, "새 손님", Sessions.Turn("새 손님", 1)).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Users_of_the_running_flush_who_write_again_are_counted_once_by_back_pressure()
    {
        // Memory held them before their new write: counting them again made new users wait for the flush. Once the batch
        // is written they are counted again, as users not in the backing store.
        using var sessions = Open(Options with { MaxUnflushedUsers = 3, BackPressureTimeout = TimeSpan.FromSeconds(1) });
        await sessions.SaveAsync(Bot, "손님-a", Sessions.Turn("손님-a", 1));
        await sessions.SaveAsync(Bot, "손님-b", Sessions.Turn("손님-b", 1));
        _time.Advance(TimeSpan.FromSeconds(16)); // both quiet: the flush writes them
        _backing.HoldBatchesAfter(1);
        var flush = Task.Run(sessions.FlushInBackground);
        try
        {
            _backing.WaitForHeldBatch(); // both in the batch, counted there
            await sessions.SaveAsync(Bot, "손님-a", Sessions.Turn("손님-a", 2));
            await sessions.SaveAsync(Bot, "손님-b", Sessions.Turn("손님-b", 2));
            await sessions.SaveAsync(Bot, "새 손님", Sessions.Turn("새 손님", 1)); // 2 + 1 < 3: not held back
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        await flush;
        Assert.Equal(3, sessions.UnflushedUsers); // a and b wrote since the batch took them
        SessionAssert.Same(Sessions.Turn("손님-a", 2), sessions.Find(Bot, "손님-a"));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => sessions.SaveAsync(Bot, "다음 손님", Sessions.Turn("다음 손님", 1)));
    }

    [Fact]
    public async Task Users_of_a_failed_flush_who_wrote_again_during_it_are_counted_again()
    {
        using var sessions = Open(Options with { MaxUnflushedUsers = 3, BackPressureTimeout = TimeSpan.FromSeconds(1) });
        await sessions.SaveAsync(Bot, "손님-a", Sessions.Turn("손님-a", 1));
        await sessions.SaveAsync(Bot, "손님-b", Sessions.Turn("손님-b", 1));
        _time.Advance(TimeSpan.FromSeconds(16));
        _backing.FailNextBatch = new StoreUnavailableException("disk full");
        _backing.HoldBatches();
        var flush = Task.Run(sessions.FlushInBackground);
        try
        {
            _backing.WaitForHeldBatch();
            await sessions.SaveAsync(Bot, "손님-a", Sessions.Turn("손님-a", 2));
            await sessions.SaveAsync(Bot, "손님-b", Sessions.Turn("손님-b", 2));
        }
        finally
        {
            _backing.ReleaseBatches();
        }

        await Assert.ThrowsAnyAsync<StoreException>(() => flush);
        await sessions.SaveAsync(Bot, "새 손님", Sessions.Turn("새 손님", 1));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => sessions.SaveAsync(Bot, "다음 손님", Sessions.Turn("다음 손님", 1)));
    }

    /// <summary>
    /// Writes a user who is quiet by the flush and the first turn of "손님", then starts a background flush and returns
    /// it once it holds its batch: rotated, so later writes go to a new segment.
    /// </summary>
    private async Task<Task> FlushHoldingItsBatchAfterTheFirstTurnOfTheUser(JournaledSessionStore sessions)
    {
        await sessions.SaveAsync(Bot, "다 고른 손님", Sessions.Turn("다 고른 손님", 1));
        _time.Advance(TimeSpan.FromSeconds(16));
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));
        _backing.HoldBatches();
        var flush = Task.Run(sessions.FlushInBackground);
        _backing.WaitForHeldBatch();
        return flush;
    }

    /// <summary>A store that holds back the third new user (at most two unflushed), with four users carried over, now quiet.</summary>
    private JournaledSessionStore OpenWithFourQuietCarriedUsers()
    {
        var sessions = Open(Options with { MaxUnflushedUsers = 2, BackPressureTimeout = TimeSpan.FromMinutes(1) });
        for (var i = 0; i < 4; i += 2)
        {
            sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 1)).GetAwaiter().GetResult();
            sessions.SaveAsync(Bot, User(i + 1), Sessions.Turn(User(i + 1), 1)).GetAwaiter().GetResult();
            sessions.FlushInBackground(); // both still in their conversation: carried over
        }

        Assert.Empty(_backing.Batches);
        Assert.Equal(4, sessions.UnflushedUsers);
        _time.Advance(TimeSpan.FromSeconds(16)); // all four quiet
        return sessions;
    }

    [Fact]
    public async Task A_journal_half_way_to_its_bound_is_written_to_the_backing_store_instead()
    {
        var record = SessionRecord.Write(Bot, User(0), Sessions.Turn(User(0), 1)).Length;
        using var sessions = Open(Options with { MaxJournalBytes = 10 * record });
        for (var i = 0; i < 6; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 1));
        }

        sessions.FlushInBackground();

        Assert.Equal(6, _backing.Batches.Sum(batch => batch.Count));
        Assert.Empty(JournalSegments());
    }

    [Fact]
    public async Task Writes_racing_with_carrying_flushes_leave_each_users_latest_write_last_in_the_journal()
    {
        using var sessions = Open(Options);
        const int Users = 40;
        var latest = new ConcurrentDictionary<string, Session>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var flusher = FlushLoop.Run(sessions.FlushInBackground, stop.Token);

        // Each user writes from its own task, one write at a time (as the host serialises a user's turns).
        await Task.WhenAll(Enumerable.Range(0, Users).Select(i => Task.Run(async () =>
        {
            for (var turn = 1; turn <= 60; turn++)
            {
                var session = Sessions.Turn(User(i), turn);
                await sessions.SaveAsync(Bot, User(i), session);
                latest[User(i)] = session;
            }
        })));
        await stop.CancelAsync();
        var flushes = await flusher;

        Assert.True(flushes > 1, "the flusher did not run during the writes");
        var replayed = Replay(JournalSegments().ToArray());
        for (var i = 0; i < Users; i++)
        {
            SessionAssert.Same(latest[User(i)], replayed[User(i)]);
        }
    }

    [Fact]
    public async Task A_write_made_while_its_user_is_carried_over_is_appended_after_the_carried_record()
    {
        using var sessions = Open(Options);
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 0)); // two writes: carrying the user over halves the journal
        await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));
        Task? racing = null;
        sessions.CarryingOver = user =>
        {
            // The user's next turn arrives between the flush reading turn 1 and appending it again.
            racing = Task.Run(() => sessions.SaveAsync(Bot, user, Sessions.Turn(user, 2)));
            racing.Wait(TimeSpan.FromMilliseconds(300)); // blocked until the carried record is queued, when it must be
        };

        sessions.FlushInBackground();
        await racing!;

        SessionAssert.Same(Sessions.Turn("손님", 2), Replay([.. JournalSegments()])["손님"]);
        SessionAssert.Same(Sessions.Turn("손님", 2), sessions.Find(Bot, "손님"));
    }

    [Fact]
    public async Task A_large_carry_over_is_written_a_slice_at_a_time_so_turns_queued_meanwhile_wait_for_one_slice()
    {
        using var files = new FakeJournalFiles();
        using var sessions = Open(Options, files);
        const int Users = 2_500;
        var largestFrame = 0;
        for (var i = 0; i < Users; i++)
        {
            var session = Sessions.Turn(User(i), 1);
            largestFrame = Math.Max(largestFrame, SessionRecord.Write(Bot, User(i), session).Length + JournalFrames.HeaderBytes);
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 0)); // two writes each: carrying over halves the journal
            await sessions.SaveAsync(Bot, User(i), session);
        }

        sessions.FlushInBackground();

        Assert.Empty(_backing.Batches);
        var secondSegment = files.Events.First(e => e.StartsWith("create ", StringComparison.Ordinal) && !e.EndsWith("00000001.journal", StringComparison.Ordinal))["create ".Length..];
        var writes = files.Events
            .Where(e => e.StartsWith("write " + secondSegment + " ", StringComparison.Ordinal))
            .Select(e => long.Parse(e[(e.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(files.WrittenBytes.Single(pair => pair.Key.EndsWith(secondSegment, StringComparison.Ordinal)).Value, writes.Sum());
        Assert.True(writes.Count >= 3, $"{writes.Count} write(s) carried {Users} users over");
        Assert.All(writes, bytes => Assert.True(bytes <= 1_000 * largestFrame, $"one write of {bytes} bytes: more than 1,000 records"));
    }

    [Fact]
    public async Task Users_who_wrote_again_after_the_rotation_are_carried_over_without_appending_them_again()
    {
        // A busy bot: most users a flush carries over have written again while it wrote the others to the backing store.
        // Their latest write is in the segment after the rotation already; only the others are appended again.
        using var sessions = Open(Options);
        var appendedAgain = new List<string>();
        sessions.CarryingOver = appendedAgain.Add;
        await sessions.SaveAsync(Bot, "다 고른 손님", Sessions.Turn("다 고른 손님", 1));
        _time.Advance(TimeSpan.FromSeconds(16));
        for (var i = 0; i < 4; i++)
        {
            await sessions.SaveAsync(Bot, User(i), Sessions.Turn(User(i), 1));
        }

        _backing.HoldBatches();
        var flush = Task.Run(sessions.FlushInBackground);
        _backing.WaitForHeldBatch(); // rotated: the next writes go to a new segment
        await sessions.SaveAsync(Bot, User(0), Sessions.Turn(User(0), 2));
        await sessions.SaveAsync(Bot, User(1), Sessions.Turn(User(1), 2));
        _backing.ReleaseBatches();
        await flush;

        Assert.Equal([User(2), User(3)], appendedAgain.Order(StringComparer.Ordinal));
        var segments = JournalSegments().ToArray();
        Assert.Equal(4, segments.Sum(segment => SessionJournal.ReadSegment(segment).Records.Count));
        var replayed = Replay(segments);
        Assert.Equal(4, replayed.Count);
        SessionAssert.Same(Sessions.Turn(User(0), 2), replayed[User(0)]);
        SessionAssert.Same(Sessions.Turn(User(1), 2), replayed[User(1)]);
        SessionAssert.Same(Sessions.Turn(User(2), 1), replayed[User(2)]);
        SessionAssert.Same(Sessions.Turn(User(3), 1), replayed[User(3)]);
        Assert.Equal(4, sessions.UnflushedUsers);

        // The next flush rotates the segment that holds users 0 and 1's second turns: they did not write since, so they
        // are appended again this time, or the segment's deletion would lose them.
        appendedAgain.Clear();
        for (var turn = 2; turn <= 3; turn++)
        {
            await sessions.SaveAsync(Bot, User(2), Sessions.Turn(User(2), turn));
            await sessions.SaveAsync(Bot, User(3), Sessions.Turn(User(3), turn));
        }

        sessions.FlushInBackground();
        Assert.Equal([User(0), User(1), User(2), User(3)], appendedAgain.Order(StringComparer.Ordinal));
        var last = Replay([.. JournalSegments()]);
        SessionAssert.Same(Sessions.Turn(User(0), 2), last[User(0)]);
        SessionAssert.Same(Sessions.Turn(User(1), 2), last[User(1)]);
        SessionAssert.Same(Sessions.Turn(User(2), 3), last[User(2)]);
        SessionAssert.Same(Sessions.Turn(User(3), 3), last[User(3)]);
    }

    [Fact]
    public async Task A_write_still_being_synced_when_its_user_is_carried_over_does_not_count_as_in_the_new_segment()
    {
        // An fsync-mode write after the rotation that has not returned yet may still fail, and then the write before it,
        // in a rotated segment, is the user's session again: it must be appended again, not left to the write.
        using var files = new FakeJournalFiles();
        using var sessions = Open(Options with { Durability = SessionDurability.Fsync }, files);
        var appendedAgain = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        sessions.CarryingOver = user => appendedAgain.TrySetResult(user);
        var flush = await FlushHoldingItsBatchAfterTheFirstTurnOfTheUser(sessions);
        files.HoldSyncs();
        var syncing = sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 2));
        files.WaitForSync();
        Assert.False(syncing.IsCompleted); // its fsync is held: the flush below finds the append in flight
        _backing.ReleaseBatches();
        try
        {
            Assert.Equal("손님", await appendedAgain.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            files.ReleaseSyncs(); // else closing the store would wait for the held fsync
        }

        await syncing;
        await flush;
        SessionAssert.Same(Sessions.Turn("손님", 2), sessions.Find(Bot, "손님"));
    }

    [Fact]
    public async Task A_user_whose_write_after_the_rotation_failed_is_carried_over_with_the_write_before_it()
    {
        using var files = new FakeJournalFiles();
        using var sessions = Open(Options, files);
        var appendedAgain = new List<string>();
        sessions.CarryingOver = appendedAgain.Add;
        var flush = await FlushHoldingItsBatchAfterTheFirstTurnOfTheUser(sessions);
        files.FailWrites = true;
        await Assert.ThrowsAnyAsync<StoreException>(() => sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", 2)));
        files.FailWrites = false;
        _backing.ReleaseBatches();
        await flush;

        Assert.Equal(["손님"], appendedAgain);
        SessionAssert.Same(Sessions.Turn("손님", 1), sessions.Find(Bot, "손님"));
        Assert.Equal(1, sessions.UnflushedUsers);
    }

    private SortedDictionary<string, long> JournalSizes() =>
        new(JournalSegments().ToDictionary(segment => segment, segment => new FileInfo(segment).Length), StringComparer.Ordinal);

    private JournaledSessionStore Open(SessionStoreOptions options, FakeJournalFiles? files = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        // No flusher thread: each test flushes by hand, where a woken flusher would race with it.
        var journal = new SessionJournal(StoreFile, 1, durability: options.Durability, files: files);
        return new JournaledSessionStore(_backing, journal, options, time: _time, flusher: false);
    }

    /// <summary>What a start would recover from <paramref name="segments"/>, in order: each user's last record.</summary>
    private static Dictionary<string, Session> Replay(params string[] segments)
    {
        var sessions = new Dictionary<string, Session>(StringComparer.Ordinal);
        foreach (var segment in segments.Order(StringComparer.Ordinal))
        {
            foreach (var record in SessionJournal.ReadSegment(segment).Records)
            {
                var (_, user, session) = SessionRecord.Read(record);
                sessions[user] = session;
            }
        }

        return sessions;
    }

    private static string User(int i) => "손님-" + i.ToString(CultureInfo.InvariantCulture);
}
