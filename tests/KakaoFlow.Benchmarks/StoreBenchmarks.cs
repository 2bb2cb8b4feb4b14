using System.Collections.Immutable;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using KakaoFlow.Runtime;
using KakaoFlow.Store;

namespace KakaoFlow.Benchmarks;

/// <summary>A LiteDB session read + write (what one turn does) on a real file in a temp folder, over 10,000 stored sessions.</summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Users = 10_000;
    private string _folder = "";
    private LiteDbStore _store = null!;
    private Session _session = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("kakaoflow-bench-").FullName;
        _store = new LiteDbStore(Path.Combine(_folder, "bench.litedb"));
        var vars = ImmutableDictionary<string, JsonElement>.Empty.WithComparers(StringComparer.Ordinal)
            .SetItem("item", JsonSerializer.SerializeToElement("불고기 피자"))
            .SetItem("price", JsonSerializer.SerializeToElement(18000))
            .SetItem("address", JsonSerializer.SerializeToElement("서울시 마포구 월드컵로 12, 301호"));
        _session = new Session { StepId = "size", Vars = vars, LastMessageAt = DateTimeOffset.UtcNow, FlowVersion = "v1" };
        for (var i = 0; i < Users; i++)
        {
            _store.Sessions.Save("bench", UserKey(i), _session);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public Session? ReadAndWrite()
    {
        var user = UserKey(_next++ % Users);
        var session = _store.Sessions.Find("bench", user) ?? Session.New;
        _store.Sessions.Save("bench", user, session with { LastMessageAt = session.LastMessageAt?.AddSeconds(1) });
        return session;
    }

    /// <summary>64 turns writing at once, as under load: group-committed (<see cref="ISessionStore.SaveAsync"/>); per write.</summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public async Task WriteConcurrent64()
    {
        var writes = new Task[64];
        for (var i = 0; i < writes.Length; i++)
        {
            writes[i] = _store.Sessions.SaveAsync("bench", UserKey(_next++ % Users), _session);
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    private static string UserKey(int i) => "user-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
