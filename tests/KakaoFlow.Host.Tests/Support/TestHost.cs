using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using KakaoFlow.Cli.Serve;
using KakaoFlow.Hosting;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>
/// A real host on a loopback port with a real LiteDB file in a temp folder, a fake flow clock and captured logs.
/// <see cref="RestartAsync"/> disposes the app and starts a new one on the same file and flows.
/// </summary>
internal sealed class TestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    private readonly Func<TestHostOptions, TestHostOptions>? _configure;
    private WebApplication? _app;

    private TestHost(string root, Func<TestHostOptions, TestHostOptions>? configure)
    {
        Root = root;
        _configure = configure;
    }

    public string Root { get; }
    public string FlowsDirectory => Path.Combine(Root, "flows");
    public string DataFile => Path.Combine(Root, "data", "kakaoflow.litedb");
    public FakeTimeProvider Clock { get; } = new(Start);
    public LogSink Logs { get; } = new();
    public HttpClient Http { get; private set; } = null!;
    public WebApplication App => _app!;
    public LiteDbStore Store => App.Services.GetRequiredService<LiteDbStore>();

    public static async Task<TestHost> StartAsync(
        IReadOnlyDictionary<string, string> flows,
        Func<TestHostOptions, TestHostOptions>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "kakaoflow-host-tests", Guid.NewGuid().ToString("N"));
        foreach (var (botId, yaml) in flows)
        {
            var folder = Path.Combine(root, "flows", botId);
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "flow.yaml"), yaml, Encoding.UTF8);
        }

        Directory.CreateDirectory(Path.Combine(root, "flows"));
        var host = new TestHost(root, configure);
        await host.BootAsync();
        return host;
    }

    /// <summary>Serves the pizza bot of <see cref="Flows.Pizza"/> as <c>/pizza</c>.</summary>
    public static Task<TestHost> StartPizzaAsync(Func<TestHostOptions, TestHostOptions>? configure = null) =>
        StartAsync(new Dictionary<string, string> { ["pizza"] = Flows.Pizza }, configure);

    /// <summary>Serves copies of the repository's sample bots (<c>flows/</c>).</summary>
    public static async Task<TestHost> StartWithSamplesAsync(Func<TestHostOptions, TestHostOptions>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "kakaoflow-host-tests", Guid.NewGuid().ToString("N"));
        CopyFolder(Path.Combine(RepoRoot, "flows"), Path.Combine(root, "flows"));
        var host = new TestHost(root, configure);
        await host.BootAsync();
        return host;
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KakaoFlow.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("KakaoFlow.sln not found above " + AppContext.BaseDirectory);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.GetDirectories(from))
        {
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    /// <param name="whileStopped">Runs between the stop and the start (the data file is closed then).</param>
    public async Task RestartAsync(Func<TestHostOptions, TestHostOptions>? reconfigure = null, Action? whileStopped = null)
    {
        await StopAsync();
        whileStopped?.Invoke();
        await BootAsync(reconfigure);
    }

    public Session? SessionOf(string botId, string userKey) => App.Services.GetRequiredService<ISessionStore>().Find(botId, userKey);

    public Task<HttpResponseMessage> SendMessageAsync(string botId, string userKey, string content, string type = "text") =>
        PostJsonAsync($"/{botId}/message", Json.Message(userKey, type, content));

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        return Http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public async Task<string> MessageTextAsync(string botId, string userKey, string content)
    {
        using var response = await SendMessageAsync(botId, userKey, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return body;
    }

    private async Task BootAsync(Func<TestHostOptions, TestHostOptions>? reconfigure = null)
    {
        var options = new TestHostOptions();
        options = _configure?.Invoke(options) ?? options;
        options = reconfigure?.Invoke(options) ?? options;
        var settings = new ServeSettings
        {
            FlowsDirectory = FlowsDirectory,
            DataFile = DataFile,
            Urls = "http://127.0.0.1:0",
            Watch = options.Watch,
            Redis = options.Redis,
            Scripts = KakaoFlow.Cli.ScriptEngine.CreateCompiler(),
        };
        _app = ServeApp.Build(settings, builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Services.AddSingleton(options.Seams);
            if (options.StoreHealth is not null)
            {
                builder.Services.AddSingleton(options.StoreHealth);
            }

            builder.Services.Configure<KakaoFlowOptions>(options.ApplyTo);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(Logs);
        });
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    private async Task StopAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>Captures every log event: its rendered message and its structured values.</summary>
internal sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                : "";
            sink.Lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} | {values} {exception}");
        }
    }
}

internal static class Json
{
    public static string Message(string userKey, string type, string content) =>
        $$"""{"user_key":{{Quote(userKey)}},"type":{{Quote(type)}},"content":{{Quote(content)}}}""";

    public static string Friend(string userKey) => $$"""{"user_key":{{Quote(userKey)}}}""";

    public static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
