using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KakaoFlow.Cli;
using KakaoFlow.Cli.Serve;
using KakaoFlow.Redis.Tests.Support;

namespace KakaoFlow.Redis.Tests;

/// <summary><c>serve --store</c> and <c>$KAKAOFLOW_STORE</c>: LiteDB by default, Redis by URL with a shared owner token.</summary>
public sealed class ServeStoreOptionTests : CounterBotRoot
{
    [Fact]
    public void No_store_or_litedb_is_the_data_file()
    {
        Assert.Equal((null, null), StoreChoice.Parse(null, null));
        Assert.Equal((null, null), StoreChoice.Parse("LiteDB", "token"));
    }

    [Fact]
    public void A_redis_url_with_an_owner_token_is_redis()
    {
        var (redis, error) = StoreChoice.Parse("redis://127.0.0.1:6390/2", "token");

        Assert.Null(error);
        Assert.Equal(("127.0.0.1:6390", 2), (redis?.EndPoint, redis?.Database));
    }

    [Fact]
    public void Redis_without_a_shared_owner_token_is_refused()
    {
        var (redis, error) = StoreChoice.Parse("redis://127.0.0.1:6390", null);

        Assert.Null(redis);
        Assert.Contains("KAKAOFLOW_ADMIN_TOKEN", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_store_is_a_usage_error_and_help_names_the_option_and_variable()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.Equal(2, await CommandLine.RunAsync(["serve", "--store", "redis://127.0.0.1:6390/zero"], stdout, stderr));
        Assert.Contains("--store must be litedb or redis://HOST:PORT[/DB]", stderr.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await CommandLine.RunAsync(["serve", "--help"], stdout, stderr));
        Assert.Contains("--store", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("redis://HOST:PORT[/DB]", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("$" + KakaoFlowEnvironment.Store, stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_store_in_the_variable_is_named_as_the_variable()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(2, await RunWithVariable(KakaoFlowEnvironment.Store, "redis://127.0.0.1:6390/zero", ["serve"], stdout, stderr));

        Assert.Contains("$KAKAOFLOW_STORE must be litedb or redis://HOST:PORT[/DB]", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("--store must be", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durability_is_refused_with_redis_and_must_be_os_or_fsync()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(2, await RunWithVariable(
            KakaoFlowEnvironment.AdminToken, "durability-test-token", ["serve", "--store", "redis://127.0.0.1:6390/2", "--durability", "fsync"], stdout, stderr));
        Assert.Contains("--durability applies to the LiteDB store only", stderr.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await CommandLine.RunAsync(["serve", "--durability", "always"], stdout, stderr));
        Assert.Contains("--durability must be os or fsync, not 'always'", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Redis_that_cannot_be_reached_at_start_stops_serve_with_exit_code_1_and_the_reason()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port; // nobody listens there once the listener is gone
        }

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var redis = "redis://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/0";
        var dataFile = Path.Combine(Root, "data", "kakaoflow.litedb");

        Assert.Equal(1, await RunWithVariable(
            KakaoFlowEnvironment.AdminToken,
            "unreachable-redis-test-token",
            ["serve", Path.Combine(Root, "flows"), "--store", redis, "--data", dataFile, "--urls", "http://127.0.0.1:0", "--no-watch"],
            stdout,
            stderr));
        Assert.Contains("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", stdout.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(dataFile)));
    }

    /// <summary>Runs <c>kakaoflow</c> in this process with one environment variable set for the call, restored after.</summary>
    private static async Task<int> RunWithVariable(string name, string value, string[] args, StringWriter stdout, StringWriter stderr)
    {
        var before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            return await CommandLine.RunAsync(args, stdout, stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, before);
        }
    }
}
