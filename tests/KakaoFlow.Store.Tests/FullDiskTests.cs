using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// The data file on a full disk (a 3 MB tmpfs, filled): every store call still returns within the reply bound, nothing
/// acknowledged is lost, and the store recovers by itself when space comes back.
/// </summary>
public sealed class FullDiskTests
{
    private const string Bot = "피자봇";
    private const int Users = 40;

    /// <summary>A failing store call returns in seconds, not after a minute-long lock wait.</summary>
    // LiteDB's own lock wait is 2 s here (it was a minute): what this bound catches is a call that waits for a lock the
    // broken database will never release. The margin is for a loaded CI machine, where 2.5 s was seen, and once (a
    // clean-clone run of the whole suite, eighteenth session) a failing session write of 5.0 s, cause not found.
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_full_disk_fails_fast_loses_nothing_acknowledged_and_the_store_recovers_when_space_comes_back()
    {
        using var disk = SmallDisk.Mount();
        var file = disk.Path("kakaoflow.litedb");
        var failures = new ConcurrentQueue<Exception>();
        // Users quiet for a second are written, the others carried over (appended again to the journal, which fails too
        // while the disk is full, or left where they are when that would not halve the journal): the journal is empty a
        // second after the last write once space is back.
        var options = new SessionStoreOptions { FlushInterval = TimeSpan.FromMilliseconds(100), WriteIdleAfter = TimeSpan.FromSeconds(1), FlushFailed = failures.Enqueue };
        var acknowledged = new Dictionary<string, Session>(StringComparer.Ordinal);
        var store = new LiteDbStore(file, options);
        try
        {
            for (var turn = 1; turn <= 2; turn++)
            {
                for (var i = 0; i < Users; i++)
                {
                    await store.Sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), turn));
                    acknowledged[UserKey(i)] = Sessions.Turn(UserKey(i), turn);
                }

                if (turn == 1)
                {
                    store.FlushSessions();
                }
            }

            disk.Fill();

            // Every kind of call, on pool threads as requests make them, several times: each one returns (or fails)
            // within the bound, and a write that was acknowledged is kept.
            var big = JsonSerializer.SerializeToElement(new string('값', 50_000));
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < Users; i++)
                {
                    var user = UserKey(i);
                    var next = Sessions.Turn(user, 3 + round);
                    if (await Bounded(() => store.Sessions.SaveAsync(Bot, user, next)))
                    {
                        acknowledged[user] = next;
                    }
                }

                await Bounded(() => store.BotData.Set(Bot, "메뉴" + round, big));
                await Bounded(() => store.Friends.MarkAdded(Bot, UserKey(round), Sessions.At));
                await Bounded(() => store.Services.Change(Bot, _ => (new ServiceRecord(Bot, ServiceState.Running, "started", Sessions.At, "owner"), null)));
                await Bounded(() => store.Services.RecordError(Bot, "2026-11-25", new ErrorDetail(Sessions.At, "user", "hook-error", null, "boom"), 50, (_, _) => ErrorDecision.None));
                await Bounded(() => store.Sessions.Find(Bot, UserKey(round)));
                await Task.Delay(250); // background flushes fail meanwhile
            }

            // At the latest once the users have been quiet for a second, a background flush writes them, and fails.
            var failing = Stopwatch.StartNew();
            while (failures.IsEmpty)
            {
                Assert.True(failing.Elapsed < TimeSpan.FromSeconds(10), "no background flush failed on the full disk");
                await Task.Delay(50);
            }

            var outage = store.Health.Status;
            Assert.False(outage.Available);
            Assert.Contains("No space left on device", outage.Reason, StringComparison.Ordinal);
            Assert.NotNull(outage.Since);
            disk.Free();

            // Recovered by itself: the background flush writes everything acknowledged and deletes the journal.
            var watch = Stopwatch.StartNew();
            while (SessionJournalSegments(file).Length > 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), "the journal was not flushed within 15 s of freeing space; last failure: " + failures.LastOrDefault());
                await Task.Delay(50);
            }

            // Every kind of write works again, on any thread.
            for (var i = 0; i < 8; i++)
            {
                Assert.True(await Bounded(() => store.Services.Change(Bot, _ => (new ServiceRecord(Bot, ServiceState.Stopped, "stopped", Sessions.At, "owner"), null))), "a state change failed after space came back");
                Assert.True(await Bounded(() => store.BotData.Set(Bot, "작은값", JsonSerializer.SerializeToElement(i))), "a data write failed after space came back");
                Assert.True(await Bounded(() => store.Friends.MarkAdded(Bot, "친구", Sessions.At)), "a friend write failed after space came back");
            }

            Assert.Equal(ServiceState.Stopped, store.Services.Find(Bot)?.State);
            Assert.True(store.Health.Status.Available, store.Health.Status.Reason);
            Assert.True(store.Health.Status.Since > outage.Since);
        }
        finally
        {
            var closing = Stopwatch.StartNew();
            store.Dispose();
            Assert.True(closing.Elapsed < TimeSpan.FromSeconds(5), $"closing took {closing.Elapsed}");
        }

        using (var reopened = new LiteDbStore(file, options with { FlushFailed = null }))
        {
            foreach (var (user, session) in acknowledged)
            {
                SessionAssert.Same(session, reopened.Sessions.Find(Bot, user));
            }
        }

        // The databases closed after failures are garbage now: collecting them must not run a LiteDB finalizer that
        // throws (that would end the process).
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [Fact]
    public async Task The_store_recovers_by_itself_without_traffic_and_says_so_once_each_way()
    {
        using var disk = SmallDisk.Mount();
        var file = disk.Path("kakaoflow.litedb");
        var log = new CapturingLogger();
        using var store = new LiteDbStore(file, new SessionStoreOptions { FlushInterval = TimeSpan.FromMilliseconds(100) }, log);
        disk.Fill();
        for (var i = 0; i < 3; i++)
        {
            Assert.ThrowsAny<StoreException>(() => store.BotData.Set(Bot, "큰값", JsonSerializer.SerializeToElement(new string('값', 50_000))));
            await Task.Delay(300); // the flusher probes meanwhile, and fails
        }

        Assert.False(store.Health.Status.Available);

        disk.Free();
        var watch = Stopwatch.StartNew();
        while (!store.Health.Status.Available)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "still unavailable 10 s after space came back: " + store.Health.Status.Reason);
            await Task.Delay(50);
        }

        store.BotData.Set(Bot, "큰값", JsonSerializer.SerializeToElement("이제 됨"));
        Assert.Equal("이제 됨", store.BotData.Get(Bot, "큰값")?.GetString());

        var down = Assert.Single(log.Entries, entry => entry.Message.StartsWith("The data store is unavailable", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, down.Level);
        Assert.Contains("the data file: No space left on device", down.Message, StringComparison.Ordinal);
        var up = Assert.Single(log.Entries, entry => entry.Message.StartsWith("The data store is available again after", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, up.Level);
    }

    [Fact]
    public async Task Closing_on_a_full_disk_is_bounded_and_the_journal_keeps_what_was_acknowledged()
    {
        using var disk = SmallDisk.Mount();
        var file = disk.Path("kakaoflow.litedb");
        var options = new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) };
        var store = new LiteDbStore(file, options);
        for (var i = 0; i < Users; i++)
        {
            await store.Sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1));
        }

        disk.Fill();
        var closing = Stopwatch.StartNew();
        var closed = Task.Run(store.Dispose);
        await closed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(closing.Elapsed < TimeSpan.FromSeconds(5), $"closing took {closing.Elapsed}");
        Assert.Null(closed.Exception);
        disk.Free();

        using var reopened = new LiteDbStore(file, options);
        for (var i = 0; i < Users; i++)
        {
            SessionAssert.Same(Sessions.Turn(UserKey(i), 1), reopened.Sessions.Find(Bot, UserKey(i)));
        }
    }

    /// <summary>Runs a store call on a pool thread; true when it succeeded, false when it failed with a StoreException — within <see cref="CallBound"/> either way.</summary>
    private static async Task<bool> Bounded(Action call) => await Bounded(() =>
    {
        call();
        return Task.CompletedTask;
    });

    private static async Task<bool> Bounded(Func<object?> call) => await Bounded(() =>
    {
        call();
        return Task.CompletedTask;
    });

    private static async Task<bool> Bounded(Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        var running = Task.Run(call);
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.True(watch.Elapsed < CallBound, $"a store call took {watch.Elapsed.TotalMilliseconds:F0} ms");
            return true;
        }
        catch (StoreException)
        {
            Assert.True(watch.Elapsed < CallBound, $"a failing store call took {watch.Elapsed.TotalMilliseconds:F0} ms");
            return false;
        }
        catch (TimeoutException)
        {
            Assert.Fail($"a store call did not return within 20 s");
            throw;
        }
    }

    private static string[] SessionJournalSegments(string file) =>
        Directory.GetFiles(Path.GetDirectoryName(file)!, Path.GetFileName(file) + ".sessions-*.journal");

    private static string UserKey(int i) => "user-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
