using System.Globalization;
using KakaoFlow.Cli.Sim;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Browser.Tests.Support;

/// <summary>
/// <c>kakaoflow sim</c> in this process on a free loopback port, over a temporary copy of the sample bots, so a test
/// can save files without touching the repository.
/// </summary>
internal sealed class SimServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimServer(WebApplication app, string flowsDirectory, string baseUrl)
    {
        _app = app;
        FlowsDirectory = flowsDirectory;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    public string FlowsDirectory { get; }

    /// <summary>E.g. <c>http://127.0.0.1:40123</c>, no trailing slash.</summary>
    public string BaseUrl { get; }

    /// <summary>A client of the simulator's own address (its API and pages without a browser); disposed with it.</summary>
    public HttpClient Http { get; }

    /// <summary>Starts the simulator; its page in Korean (as most people who edit flows read it) unless <paramref name="language"/> says.</summary>
    public static async Task<SimServer> StartAsync(CultureInfo? language = null)
    {
        var flows = Directory.CreateTempSubdirectory("kakaoflow-sim-").FullName;
        foreach (var bot in Directory.GetDirectories(Path.Combine(Repo.Root, "flows")))
        {
            var copy = Directory.CreateDirectory(Path.Combine(flows, Path.GetFileName(bot))).FullName;
            foreach (var file in Directory.GetFiles(bot).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".js", StringComparison.Ordinal)))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }
        }

        // `kakaoflow sim --lang` runs in its language from the start; here the simulator's compiles and its watcher take the
        // language from this (async-local) setting, which the test's own code does not see once this method returns.
        language ??= CultureInfo.GetCultureInfo("ko");
        CultureInfo.CurrentUICulture = language;
        var app = SimApp.Build(
            new SimSettings { FlowsDirectory = flows, Urls = "http://127.0.0.1:0", Language = language },
            builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return new SimServer(app, flows, app.Urls.First().TrimEnd('/'));
    }

    public string BotFolder(string bot) => Path.Combine(FlowsDirectory, bot);

    public string FlowFile(string bot) => Path.Combine(FlowsDirectory, bot, "flow.yaml");

    /// <summary>Saves the bot's flow.yaml with <paramref name="before"/> replaced, as an editor would.</summary>
    public void Edit(string bot, string before, string after)
    {
        var text = File.ReadAllText(FlowFile(bot));
        Assert.Contains(before, text, StringComparison.Ordinal);
        File.WriteAllText(FlowFile(bot), text.Replace(before, after, StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(FlowsDirectory, recursive: true);
    }
}

/// <summary>The repository, found from the test's output folder.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KakaoFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("KakaoFlow.sln not found above " + AppContext.BaseDirectory);
    }
}
