using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KakaoFlow.Tests.Graph;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Sim;

/// <summary><c>kakaoflow sim</c> as an editor runs it, in its own process.</summary>
public sealed class SimCommandTests : IDisposable
{
    private readonly BotFolders _bots = new("kakaoflow-simcmd-");

    public void Dispose() => _bots.Dispose();

    [Fact]
    public async Task An_address_in_use_is_one_line_and_exit_one_not_a_stack_trace()
    {
        _bots.Write("test", GraphTests.SmallFlow);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "kakaoflow.dll"), "sim", _bots.Root, "--urls", url, "--lang", "en" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout + await stderr;
        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"kakaoflow sim: cannot listen on {url}: ", await stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
    }
}
