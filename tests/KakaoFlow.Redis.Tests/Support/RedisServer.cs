using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KakaoFlow.Store.Redis;

namespace KakaoFlow.Redis.Tests.Support;

/// <summary>
/// The Redis server the tests use. Shared: <c>$KAKAOFLOW_TEST_REDIS</c> (<c>HOST:PORT</c>, what .ci/run sets), else one
/// <c>redis-server</c> started here for the whole run (when the binary is on PATH) and stopped when the run ends. With
/// neither, every Redis test fails with a message saying how to get one: they never pass without having run. Each test
/// gets its own key prefix, so tests share the server without seeing each other's data.
/// </summary>
internal static class TestRedis
{
    public const string Variable = "KAKAOFLOW_TEST_REDIS";

    private static readonly Lazy<string> Shared = new(FindOrStart);

    /// <summary>The shared server's <c>host:port</c>.</summary>
    public static string EndPoint => Shared.Value;

    /// <summary>
    /// Options on the shared server under a fresh key prefix (or the one given, to open the same data again). Commands
    /// may wait longer than in production: on a loaded test machine a slow answer is not what these tests are about.
    /// </summary>
    public static RedisStoreOptions Options(string? prefix = null) =>
        new() { EndPoint = EndPoint, KeyPrefix = prefix ?? NewPrefix(), CommandTimeout = TimeSpan.FromSeconds(5) };

    public static string NewPrefix() => "test:" + Guid.NewGuid().ToString("N")[..12] + ":";

    private static string FindOrStart()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } endPoint)
        {
            return endPoint;
        }

        var server = RedisServerProcess.TryStart()
            ?? throw new InvalidOperationException(
                $"These tests need a Redis server: set {Variable}=HOST:PORT (e.g. after `redis-server --port 6390 --save '' --appendonly no --daemonize yes`), " +
                "or install redis-server (apt-get install -y redis-server) so that the tests start one; .ci/run does both.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server.EndPoint;
    }
}

/// <summary>A <c>redis-server</c> of the test's own on a free loopback port: stopped (killed) and started again on the same port at will.</summary>
internal sealed class RedisServerProcess : IDisposable
{
    private Process? _process;

    private RedisServerProcess(int port) => Port = port;

    public int Port { get; }

    public string EndPoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts one, or fails the test with how to install the binary.</summary>
    public static RedisServerProcess Start() =>
        TryStart() ?? throw new InvalidOperationException("This test starts and stops a Redis server of its own: install redis-server (apt-get install -y redis-server; .ci/run does).");

    /// <summary>Starts one when <c>redis-server</c> is on PATH; null when it is not.</summary>
    public static RedisServerProcess? TryStart()
    {
        var server = new RedisServerProcess(FreePort());
        try
        {
            server.StartAgain();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        return server;
    }

    /// <summary>Starts the server (empty: no persistence) on its port and waits until it answers.</summary>
    public void StartAgain()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (!Answers())
        {
            if (_process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not start");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Kills the server (as a crash would): its data, kept only in memory, is gone.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[7];
            return stream.Read(buffer) > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
