using System.Net;
using KakaoFlow.Cli.Serve;
using KakaoFlow.Cli.Sim;
using KakaoFlow.Tests.Graph;
using KakaoFlow.Tests.Support;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Tests.Sim;

/// <summary>The simulator is for editors only, on its own documented address: <c>serve</c> over the same bots answers none of its addresses.</summary>
public sealed class ServeHasNoSimulatorTests : IDisposable
{
    private readonly BotFolders _bots = new("kakaoflow-nosim-");
    private readonly string _state = Directory.CreateTempSubdirectory("kakaoflow-nosim-state-").FullName;

    public void Dispose()
    {
        _bots.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/test")]
    [InlineData("/_sim/bot.js")]
    [InlineData("/_sim/mermaid.min.js")]
    [InlineData("/_api/bots/")]
    [InlineData("/_api/bots/test/state?user=u1")]
    [InlineData("/_api/bots/test/graph")]
    public async Task Serve_answers_none_of_the_simulators_addresses(string path)
    {
        _bots.Write("test", GraphTests.SmallFlow);
        await using var serve = ServeApp.Build(
            new ServeSettings
            {
                FlowsDirectory = _bots.Root,
                DataFile = Path.Combine(_state, "kakaoflow.litedb"),
                Urls = "http://127.0.0.1:0",
                Watch = false,
                AdminToken = "admin-token-for-this-test-0123456789",
                Scripts = KakaoFlow.Cli.ScriptEngine.CreateCompiler(),
            },
            builder => builder.Logging.ClearProviders());
        await serve.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(serve.Urls.First()) };

        using var keyboard = await http.GetAsync("/test/keyboard");
        using var response = await http.GetAsync(path);

        Assert.True(keyboard.StatusCode == HttpStatusCode.OK, await keyboard.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await serve.StopAsync();
    }

    [Fact]
    public async Task The_simulator_listens_on_loopback_port_5090_unless_told()
    {
        var (exit, help, _) = await Kakaoflow.RunAsync("sim", "--help", "--lang", "en");

        Assert.Equal(0, exit);
        Assert.Contains("[default: http://127.0.0.1:5090]", help, StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:5090", new SimSettings().Urls);
        Assert.Contains("`kakaoflow sim flows` serves a simulator for the people who edit flows on http://127.0.0.1:5090", await File.ReadAllTextAsync(RepoPaths.Full("README.md")), StringComparison.Ordinal);
        Assert.Contains("`http://127.0.0.1:5090` by default", await File.ReadAllTextAsync(RepoPaths.Full("docs/simulator.md")), StringComparison.Ordinal);
    }
}
