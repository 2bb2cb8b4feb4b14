using System.Text;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Redis.Tests.Support;
using StackExchange.Redis;

namespace KakaoFlow.Redis.Tests;

/// <summary>
/// The real <c>kakaoflow serve</c> with its store chosen by <c>$KAKAOFLOW_STORE</c>: the state goes to the Redis
/// database the URL names, and no LiteDB file is opened or created, even with a <c>--data</c> given.
/// </summary>
public sealed class ServeOnRedisTests : CounterBotRoot
{
    [Fact]
    public async Task Serve_with_KAKAOFLOW_STORE_keeps_its_state_in_that_Redis_database_and_opens_no_LiteDB_file()
    {
        using var redis = RedisServerProcess.Start();
        var dataFile = Path.Combine(Root, "data", "kakaoflow.litedb");
        using var serve = await ServeHost.StartAsync(
            Root,
            "counter",
            ["--data", dataFile],
            new Dictionary<string, string> { ["KAKAOFLOW_STORE"] = $"redis://{redis.EndPoint}/5" });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        for (var expected = 1; expected <= 3; expected++)
        {
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), await serve.TrySayAsync(http, "counter", "손님", "하나 더"));
        }

        Assert.Contains($"state in redis://{redis.EndPoint}/5", serve.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(serve.OpenFiles(), file => file.Contains(".litedb", StringComparison.Ordinal) || file.StartsWith(Root, StringComparison.Ordinal));
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.EndPoint);
        var server = client.GetServer(redis.EndPoint);
        Assert.Equal(1, await client.GetDatabase(5).HashLengthAsync("kf:s:counter"));
        Assert.Empty(server.Keys(database: 0));

        serve.Dispose();
        // Nothing was written beside the flows: no data file, no journal, no generated token, no lock file.
        Assert.Equal([Path.Combine(Root, "flows")], Directory.EnumerateFileSystemEntries(Root));
    }

    [Fact]
    public async Task With_neither_option_nor_variable_serve_keeps_its_state_in_the_LiteDB_file()
    {
        // The other side of the same check: the data file is where it is looked for above.
        var dataFile = Path.Combine(Root, "data", "kakaoflow.litedb");
        using var serve = await ServeHost.StartAsync(Root, "counter", ["--data", dataFile]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        Assert.Equal("1", await serve.TrySayAsync(http, "counter", "손님", "하나 더"));
        Assert.Contains(serve.OpenFiles(), file => file == dataFile);
    }
}
