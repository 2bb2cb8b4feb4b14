using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Redis.Tests.Support;

/// <summary>
/// A real <c>kakaoflow serve</c> process (the built CLI) on a port chosen here, in a folder of the test's, serving its
/// <c>flows/</c>; ready once it answers <c>GET /{bot}/keyboard</c>.
/// </summary>
internal sealed class ServeHost : IDisposable
{
    public const string AdminToken = "owner-token-for-serve-processes";

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private bool _killed;
    private bool _disposed;

    private ServeHost(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    /// <summary><c>serve flows --urls … --no-watch</c> with <paramref name="arguments"/> after it, and <paramref name="environment"/> set (beside the owner token).</summary>
    public static async Task<ServeHost> StartAsync(string root, string bot, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}/");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["KAKAOFLOW_ADMIN_TOKEN"] = AdminToken;
        start.Environment["KAKAOFLOW_LANG"] = "en";
        start.Environment.Remove("KAKAOFLOW_STORE");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "kakaoflow.dll"), "serve", "flows", "--urls", address.ToString().TrimEnd('/'), "--no-watch" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        var serve = new ServeHost(Process.Start(start)!, address);
        serve._process.OutputDataReceived += (_, e) => serve.Append(e.Data);
        serve._process.ErrorDataReceived += (_, e) => serve.Append(e.Data);
        serve._process.BeginOutputReadLine();
        serve._process.BeginErrorReadLine();
        using var probe = new HttpClient();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync(new Uri(address, bot + "/keyboard"));
                if (response.IsSuccessStatusCode)
                {
                    return serve;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (serve._process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                serve.Dispose();
                throw new InvalidOperationException("kakaoflow serve did not start:\n" + serve);
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The reply's text, or null when the host did not answer because it was killed.</summary>
    public async Task<string?> TrySayAsync(HttpClient http, string bot, string userKey, string content)
    {
        using var body = new StringContent(Json.Message(userKey, "text", content), Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.PostAsync(new Uri(Address, bot + "/message"), body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            return Hosts.TextOf(text);
        }
        catch (HttpRequestException) when (Volatile.Read(ref _killed))
        {
            return null;
        }
    }

    /// <summary>The files the process has open right now (Linux: the targets of <c>/proc/PID/fd</c>).</summary>
    public IReadOnlyList<string> OpenFiles() =>
        Directory.EnumerateFileSystemEntries($"/proc/{ProcessId.ToString(CultureInfo.InvariantCulture)}/fd")
            .Select(link => new FileInfo(link).LinkTarget)
            .OfType<string>()
            .ToList();

    /// <summary>SIGKILL: nothing of the process runs any more, its leases are left to run out.</summary>
    public void Kill()
    {
        Volatile.Write(ref _killed, true);
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    public override string ToString()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
