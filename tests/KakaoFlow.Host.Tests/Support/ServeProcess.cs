using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace KakaoFlow.Host.Tests.Support;

/// <summary><c>dotnet kakaoflow.dll serve</c> on a free loopback port, found from its "listening on" line.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly StringBuilder _output;

    private ServeProcess(Process process, Uri address, StringBuilder output)
    {
        _process = process;
        _output = output;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(20) };
    }

    /// <param name="environment">Variables set for the process (an admin token, say).</param>
    public static async Task<ServeProcess> StartAsync(string root, string dataFile, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? arguments = null)
    {
        var start = Command(root, dataFile, environment, arguments);
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                lock (output)
                {
                    listening.TrySetException(new InvalidOperationException("kakaoflow serve ended:\n" + output));
                }

                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            foreach (var marker in (string[])["listening on ", "요청을 받는 주소: "])
            {
                if (e.Data.StartsWith(marker, StringComparison.Ordinal))
                {
                    listening.TrySetResult(new Uri(e.Data[marker.Length..].Split([';', ','])[0].Trim()));
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return new ServeProcess(process, address, output);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>kakaoflow serve</c> expecting it not to start: its exit code, and its standard output and error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunUntilExitAsync(string root, string dataFile, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? arguments = null)
    {
        using var process = Process.Start(Command(root, dataFile, environment, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("kakaoflow serve was expected to exit, and still ran after 60 s");
        }

        return (process.ExitCode, await output, await error);
    }

    private static ProcessStartInfo Command(string root, string dataFile, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<string>? arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // English messages whatever the machine's locale: the tests read the server's log.
        start.Environment["KAKAOFLOW_LANG"] = "en";
        start.Environment["LC_ALL"] = "C.UTF-8";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "kakaoflow.dll"), "serve", "flows", "--urls", "http://127.0.0.1:0", "--data", dataFile }.Concat(arguments ?? []))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    public Task<string> SayAsync(string content) => SayAsync("pizza", "process-user", content);

    /// <summary>Sends a text message; the reply's JSON (the status must be 200).</summary>
    public async Task<string> SayAsync(string bot, string userKey, string content)
    {
        using var body = new StringContent(Json.Message(userKey, "text", content), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri($"/{bot}/message", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return text;
    }

    /// <summary>An admin call with a bearer token: the status and the body.</summary>
    /// <summary>Sends a request as it is (no status asserted): the status and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(HttpStatusCode Status, string Body)> AdminAsync(HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>SIGKILL: no shutdown code runs, LiteDB is not closed.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager stops the server; returns the exit code.</summary>
    public async Task<int> TerminateAsync() => (await TerminateTimedAsync()).ExitCode;

    /// <summary>SIGTERM; returns the exit code and how long the process took to end.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateTimedAsync()
    {
        var watch = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, watch.Elapsed);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _http.Dispose();
    }

    public override string ToString()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
