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

    private static void Fill(LiteDbFile file, int count) =>
        file.Transaction("filling", database => database.Sessions.Upsert(Enumerable.Range(0, count).Select(i => new BsonDocument
        {
            ["_id"] = "사용자-" + i,
            ["text"] = "문서 " + i,
            ["padding"] = new string('가', 200),
        })));
}
