using System.Collections.Immutable;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store;

namespace KakaoFlow.Benchmarks;

/// <summary>
/// Session reads and writes on a real LiteDB file (and its session journal) in a temp folder, over 10,000 stored
/// sessions: what a turn does (cached read + journaled write), a group of concurrent turns, and what the background
/// flush costs per session written to LiteDB.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Users = 10_000;
    private string _folder = "";
    private LiteDbStore _store = null!;
    private LiteDbStore _uncached = null!;
    private LiteDbStore _packed = null!;
    private int _nextRead;
    private Session _session = null!;
    private int _next;
    private int _nextNew;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("kakaoflow-bench-").FullName;
        // No background flush during a measurement: the flush is measured on its own (FlushToLiteDb).
        _store = new LiteDbStore(Path.Combine(_folder, "bench.litedb"), new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1), FlushThreshold = int.MaxValue });
        var vars = ImmutableDictionary<string, JsonElement>.Empty.WithComparers(StringComparer.Ordinal)
            .SetItem("item", JsonSerializer.SerializeToElement("불고기 피자"))
            .SetItem("price", JsonSerializer.SerializeToElement(18000))
            .SetItem("address", JsonSerializer.SerializeToElement("서울시 마포구 월드컵로 12, 301호"));
        _session = new Session { StepId = "size", Vars = vars, LastMessageAt = DateTimeOffset.UtcNow, FlowVersion = "v1" };
        for (var i = 0; i < Users; i++)
        {
            _store.Sessions.Save("bench", UserKey(i), _session);
        }

        _store.FlushSessions();

        // The same sessions in a store that keeps one in memory, and none packed: its reads go to LiteDB.
        _uncached = new LiteDbStore(Path.Combine(_folder, "uncached.litedb"), new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1), CacheCapacity = 1, PackedCacheBytes = 0 });
        // And in one that keeps one as objects and the rest packed: its reads decode a journal record.
        _packed = new LiteDbStore(Path.Combine(_folder, "packed.litedb"), new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1), CacheCapacity = 1 });
        for (var i = 0; i < Users; i++)
        {
            _uncached.Sessions.Save("bench", UserKey(i), _session);
            _packed.Sessions.Save("bench", UserKey(i), _session);
        }

        _uncached.FlushSessions();
        _packed.FlushSessions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _uncached.Dispose();
        _packed.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One turn's store work: the (cached) read and the journaled write it waits for.</summary>
    [Benchmark]
    public Session? ReadAndWrite()
    {
        var user = UserKey(_next++ % Users);
        var session = _store.Sessions.Find("bench", user) ?? Session.New;
        _store.Sessions.Save("bench", user, session with { LastMessageAt = session.LastMessageAt?.AddSeconds(1) });
        return session;
    }

    /// <summary>A read that misses the cache (a user back after a while): LiteDB's FindById and the decoding; per read.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public int ReadFromLiteDb()
    {
        var found = 0;
        for (var i = 0; i < 1000; i++)
        {
            if (_uncached.Sessions.Find("bench", UserKey(_nextRead++ % Users)) is not null)
            {
                found++;
            }
        }

        // Nothing is dirty: the flush only trims the cache back to one session, so the next reads miss again.
        _uncached.FlushSessions();
        return found;
    }

    /// <summary>A read that misses the object cache but finds the session packed (its journal record): the decoding; per read.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public int ReadPacked()
    {
        var found = 0;
        for (var i = 0; i < 1000; i++)
        {
            if (_packed.Sessions.Find("bench", UserKey(_nextRead++ % Users)) is not null)
            {
                found++;
            }
        }

        // The flush trims the object cache back to one session, packing the others again.
        _packed.FlushSessions();
        return found;
    }

    /// <summary>64 turns writing at once, as under load: group-committed (<see cref="ISessionStore.SaveAsync"/>); per write.</summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public Task WriteConcurrent64() => WriteConcurrently(64);

    /// <summary>1,000 users' writes, then the flush that puts them in LiteDB (one transaction); per session.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public async Task FlushToLiteDb()
    {
        await WriteConcurrently(1000).ConfigureAwait(false);
        _store.FlushSessions();
    }

    /// <summary>
    /// The store work of 1,000 users' first turns, as a deploy or a popular channel brings them: the read that finds no
    /// session, the journaled write, then the flush that puts them in LiteDB; per user.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public async Task NewUsers()
    {
        var writes = new Task[1000];
        for (var i = 0; i < writes.Length; i++)
        {
            var user = "new-" + (_nextNew++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var session = _store.Sessions.Find("bench", user) ?? Session.New;
            writes[i] = _store.Sessions.SaveAsync("bench", user, session with { StepId = _session.StepId, Vars = _session.Vars, LastMessageAt = _session.LastMessageAt });
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        _store.FlushSessions();
    }

    /// <summary>Writes of <paramref name="users"/> different users at once, as turns under load make them.</summary>
    private async Task WriteConcurrently(int users)
    {
        var writes = new Task[users];
        for (var i = 0; i < writes.Length; i++)
        {
            writes[i] = _store.Sessions.SaveAsync("bench", UserKey(_next++ % Users), _session);
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    private static string UserKey(int i) => "user-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
