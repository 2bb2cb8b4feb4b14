using System.Collections.Concurrent;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;
using LiteDB;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// LiteDB 5.0's page cache never shrinks; the file is closed and opened again to release it
/// (<see cref="LiteDbFile.RecycleIfCacheAbove"/>), with calls arriving meanwhile waiting, not failing.
/// </summary>
public sealed class PageCacheRecycleTests : TempStoreFile
{
    [Fact]
    public void A_cache_above_the_limit_is_released_by_opening_the_file_again_and_the_data_stays()
    {
        using var file = OpenDataFile();
        Fill(file, 3000);
        var before = file.Read("measuring", database => LiteDbFile.CacheBytes(database.Engine));
        Assert.NotNull(before); // LiteDB's internals are where the reflection looks

        Assert.False(file.RecycleIfCacheAbove(long.MaxValue));
        Assert.True(file.RecycleIfCacheAbove(before.Value - 1));

        var after = file.Read("measuring", database => LiteDbFile.CacheBytes(database.Engine));
        Assert.True(after < before, $"{after} after, {before} before");
        Assert.Equal(3000, file.Read("counting", database => database.Sessions.Count()));
        Assert.Equal("문서 1234", file.Read("reading", database => database.Sessions.FindById("사용자-1234")["text"].AsString));
    }

    [Fact]
    public async Task Calls_during_a_recycle_wait_for_the_new_database_instead_of_failing()
    {
        using var file = OpenDataFile();
        Fill(file, 500);
        var failures = new ConcurrentBag<Exception>();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested || reads == 0)
            {
                try
                {
                    var id = "사용자-" + ((reads * 7) + r) % 500;
                    var found = file.Read("reading", database => database.Sessions.FindById(id));
                    Assert.NotNull(found);
                    file.Write("writing", StoreNames.Sessions, sessions => sessions.Upsert(new BsonDocument { ["_id"] = "쓰기-" + r, ["n"] = reads }));
                }
#pragma warning disable CA1031 // collected and reported on the test's thread
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failures.Add(e);
                }

                reads++;
            }

            return reads;
        })).ToList();

        var recycles = 0;
        for (var i = 0; i < 20; i++)
        {
            recycles += file.RecycleIfCacheAbove(0) ? 1 : 0;
        }

        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Empty(failures);
        Assert.Equal(20, recycles);
        Assert.Equal(504, file.Read("counting", database => database.Sessions.Count()));
    }

    [Fact]
    public async Task The_store_releases_the_cache_after_a_background_flush()
    {
        using var store = new LiteDbStore(StoreFile, new SessionStoreOptions { FlushInterval = TimeSpan.FromMilliseconds(20), LiteDbCacheBytes = 0 });
        await store.Sessions.SaveAsync("피자봇", "손님", Sessions.Turn("손님", 1));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (store.Recycles == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "no recycle after a flush");
            await Task.Delay(20);
        }

        SessionAssert.Same(Sessions.Turn("손님", 1), store.Sessions.Find("피자봇", "손님"));
    }

    [Fact]
    public async Task The_store_releases_the_cache_between_flushes_too()
    {
        using var store = new LiteDbStore(StoreFile, new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1), LiteDbCacheBytes = 0 });
        await store.Sessions.SaveAsync("피자봇", "손님", Sessions.Turn("손님", 1));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (store.Recycles < 2)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "no recycle between flushes");
            await Task.Delay(20);
        }

        SessionAssert.Same(Sessions.Turn("손님", 1), store.Sessions.Find("피자봇", "손님"));
    }

    [Fact]
    public void The_cache_is_not_released_under_a_call_paused_inside_and_is_after_it()
    {
        using var file = OpenDataFile();
        Fill(file, 200);
        var releasedDuringPause = true;
        file.Transaction("storing two customers with a pause", database =>
        {
            database.Sessions.Insert(new BsonDocument { ["_id"] = "첫 손님" });
            var release = Task.Factory.StartNew(() => file.RecycleIfCacheAbove(0), TaskCreationOptions.LongRunning);
            file.PauseInside(TimeSpan.FromMilliseconds(300)); // its turn comes now, with this transaction open in the file
            Assert.True(release.Wait(TimeSpan.FromSeconds(10)));
            releasedDuringPause = release.Result;
            database.Sessions.Insert(new BsonDocument { ["_id"] = "둘째 손님" });
        });

        Assert.False(releasedDuringPause); // closing the engine then would have lost the transaction
        Assert.Equal(202, file.Read("counting", database => database.Sessions.Count()));
        Assert.True(file.RecycleIfCacheAbove(0));
        Assert.Equal(202, file.Read("counting", database => database.Sessions.Count()));
    }

    [Fact]
    public void A_batch_of_sessions_pausing_lets_a_read_in()
    {
        using var file = OpenDataFile();
        var sessions = new LiteDbSessionStore(file);
        sessions.Save("피자봇", "단골", Sessions.Turn("단골", 1));
        KakaoFlow.Runtime.Session? readDuringPause = null;

        sessions.SaveAll(Writes(), catchingUp: false);

        SessionAssert.Same(Sessions.Turn("단골", 1), readDuringPause);
        Assert.Equal(3, sessions.Count("피자봇"));

        IEnumerable<SessionWrite> Writes()
        {
            yield return new SessionWrite("피자봇", "첫 손님", Sessions.Turn("첫 손님", 1));
            var reader = Task.Factory.StartNew(() => sessions.Find("피자봇", "단골"), TaskCreationOptions.LongRunning);
            sessions.PauseWriting(TimeSpan.FromMilliseconds(300)); // a mere sleep would keep the reader out past its 2 s
            Assert.True(reader.Wait(TimeSpan.FromSeconds(10)));
            readDuringPause = reader.Result;
            yield return new SessionWrite("피자봇", "둘째 손님", Sessions.Turn("둘째 손님", 1));
        }
    }

    [Fact]
    public void A_batch_spread_over_a_large_file_leaves_the_page_cache_within_the_default_limit()
    {
        // LiteDB keeps every page a transaction changes in its cache until the transaction ends, so the cache a batch
        // leaves is its largest transaction's pages: here one data page per session (two sessions fill a page).
        using var file = OpenDataFile();
        var sessions = new LiteDbSessionStore(file);
        const int Stored = 20_000;
        sessions.SaveAll(Enumerable.Range(0, Stored).Select(i => LargeWrite(i, turn: 1, neverStored: true)), catchingUp: false);
        Assert.True(file.RecycleIfCacheAbove(0)); // measured from an empty cache

        // Every third user, in an order unrelated to where each is stored.
        sessions.SaveAll(Enumerable.Range(0, Stored / 3).Select(i => LargeWrite(i * 7_919 % Stored, turn: 2, neverStored: false)), catchingUp: false);

        var cache = file.Read("measuring", database => LiteDbFile.CacheBytes(database.Engine));
        Assert.NotNull(cache); // LiteDB's internals are where the reflection looks
        Assert.InRange(cache.Value, 1, new SessionStoreOptions().LiteDbCacheBytes); // 13.6 MB; 38.2 MB in transactions of 4,096
        Assert.Equal(Stored, sessions.Count("피자봇"));
        Assert.Equal("주문/2", sessions.Find("피자봇", "손님" + (1_000 * 7_919 % Stored))!.StepId);
    }

    private static SessionWrite LargeWrite(int user, int turn, bool neverStored)
    {
        var userKey = "손님" + user;
        var session = Sessions.Turn(userKey, turn);
        session = session with { Vars = session.Vars.SetItem("메모", KakaoFlow.Runtime.FlowValues.Text(new string('가', 1_200))) };
        return SessionWrite.OfRecord("피자봇", userKey, SessionRecord.Write("피자봇", userKey, session), neverStored);
    }

    private static void Fill(LiteDbFile file, int count) =>
        file.Transaction("filling", database => database.Sessions.Upsert(Enumerable.Range(0, count).Select(i => new BsonDocument
        {
            ["_id"] = "사용자-" + i,
            ["text"] = "문서 " + i,
            ["padding"] = new string('가', 200),
        })));
}
