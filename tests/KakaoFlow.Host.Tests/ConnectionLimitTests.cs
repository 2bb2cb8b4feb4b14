using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>Kestrel's limits as <c>serve</c> sets them, seen from raw sockets on a real port.</summary>
public sealed class ConnectionLimitTests
{
    private static Task<TestHost> StartAsync(Func<TestHostOptions, TestHostOptions>? configure = null) =>
        TestHost.StartAsync(new Dictionary<string, string> { ["pizza"] = Flows.Pizza }, configure);

    private static async Task<NetworkStream> ConnectAsync(TestHost host)
    {
        var address = new Uri(host.App.Urls.First());
        var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        return client.GetStream();
    }

    /// <summary>
    /// Writes <paramref name="chunk"/> <paramref name="every"/> so often until the server closes the connection (or 20 s
    /// pass: null); what the server sent.
    /// </summary>
    private static async Task<string?> TrickleUntilClosedAsync(NetworkStream stream, byte[] chunk, TimeSpan every)
    {
        var closed = ReadUntilClosedAsync(stream, seconds: 20);
        while (!closed.IsCompleted)
        {
            try
            {
                await stream.WriteAsync(chunk);
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(closed, Task.Delay(every));
        }

        return await closed;
    }

    /// <summary>Reads until the server closes the connection (or <paramref name="seconds"/> pass); what it sent.</summary>
    private static async Task<string?> ReadUntilClosedAsync(NetworkStream stream, int seconds)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            // Reset by the server: closed too.
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    [Fact]
    public async Task A_connection_trickling_its_headers_is_closed_after_the_5_s_header_timeout()
    {
        await using var host = await StartAsync();
        await using var stream = await ConnectAsync(host);
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync("GET /pizza/keyboard HTTP/1.1\r\nHost: localhost\r\nX-Slow: "u8.ToArray());

        // One byte every 250 ms: never a complete header block, never idle either.
        var answer = await TrickleUntilClosedAsync(stream, "a"u8.ToArray(), every: TimeSpan.FromMilliseconds(250));
        var elapsed = watch.Elapsed;
        Assert.True(answer is not null, "the connection was still open after 20 s");
        Assert.DoesNotContain("200 OK", answer, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_body_arriving_slower_than_4_KiB_a_second_is_cut_off_after_the_grace_period()
    {
        await using var host = await StartAsync();
        await using var stream = await ConnectAsync(host);
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync("POST /pizza/message HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 30000\r\n\r\n"u8.ToArray());

        // About 1,000 bytes a second: fast enough for Kestrel's default (240 B/s), too slow for serve's 4 KiB/s.
        var answer = await TrickleUntilClosedAsync(stream, Encoding.ASCII.GetBytes(new string(' ', 200)), every: TimeSpan.FromMilliseconds(200));
        var elapsed = watch.Elapsed;
        Assert.True(answer is not null, "the connection was still open after 20 s");
        Assert.DoesNotContain("200 OK", answer, StringComparison.Ordinal);
        Assert.True(elapsed > TimeSpan.FromSeconds(2), $"closed after {elapsed}: before the 3 s grace period, so not for its rate");
    }

    [Fact]
    public async Task Request_headers_over_16_KiB_are_refused()
    {
        await using var host = await StartAsync();
        using var small = new HttpRequestMessage(HttpMethod.Get, new Uri("/pizza/keyboard", UriKind.Relative));
        small.Headers.Add("X-Padding", new string('a', 12 * 1024));
        using (var response = await host.Http.SendAsync(small))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        using var large = new HttpRequestMessage(HttpMethod.Get, new Uri("/pizza/keyboard", UriKind.Relative));
        large.Headers.Add("X-Padding", new string('a', 20 * 1024));
        using (var response = await host.Http.SendAsync(large))
        {
            Assert.Equal(System.Net.HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        }
    }

    [Fact]
    public async Task Connections_past_the_configured_cap_are_closed_at_once_and_the_others_are_served()
    {
        await using var host = await StartAsync(options => options with { MaxConnections = 2 });
        await using var first = await ConnectAsync(host);
        await using var second = await ConnectAsync(host);

        // Both accepted: a request on each is answered (and the connection kept).
        foreach (var stream in new[] { first, second })
        {
            await stream.WriteAsync("GET /pizza/keyboard HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer);
            Assert.StartsWith("HTTP/1.1 200 OK", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        }

        await using var third = await ConnectAsync(host);
        var watch = Stopwatch.StartNew();
        Assert.Equal("", await ReadUntilClosedAsync(third, seconds: 4));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"closed after {watch.Elapsed}");
    }
}
