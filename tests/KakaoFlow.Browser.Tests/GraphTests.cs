using System.Text.Json;
using KakaoFlow.Browser.Tests.Support;
using KakaoFlow.Cli;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KakaoFlow.Browser.Tests;

/// <summary>The text of <c>kakaoflow graph</c> read by Mermaid's own parser: the build the simulator page ships, in the browser.</summary>
public sealed class GraphTests(BrowserFixture browser) : SimTest(browser)
{
    private static async Task<string> Graph(string botFolder)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(["graph", botFolder], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        return stdout.ToString();
    }

    [Fact]
    public async Task Every_sample_bot_graph_parses_with_the_shipped_mermaid()
    {
        var sim = await OpenAsync("pizza");
        await Expect(sim.CurrentNode).ToHaveCountAsync(1);

        var samples = Directory.GetDirectories(Path.Combine(Repo.Root, "flows")).Where(folder => File.Exists(Path.Combine(folder, "flow.yaml"))).ToList();
        Assert.True(samples.Count >= 3, string.Join(", ", samples));
        foreach (var folder in samples)
        {
            var bot = Path.GetFileName(folder);
            var text = await Graph(folder);
            var type = await sim.Page.EvaluateAsync<string>("async (text) => (await mermaid.parse(text)).diagramType", text);
            Assert.StartsWith("flowchart", type, StringComparison.Ordinal);

            // The page draws the same text: one node per step.
            var view = await sim.Page.EvaluateAsync<JsonElement>("async (bot) => (await fetch('/_api/bots/' + bot + '/graph')).json()", bot);
            Assert.Equal(text, view.GetProperty("mermaid").GetString());
        }

        // And the bot every editor starts from (an input step on an inline path: home/예약하기).
        Assert.Equal(0, await CommandLine.RunAsync(["new", "starter", "--in", Server.FlowsDirectory], new StringWriter(), new StringWriter()));
        var starter = await Graph(Server.BotFolder("starter"));
        Assert.Contains("[/\"home/", starter, StringComparison.Ordinal);
        Assert.StartsWith("flowchart", await sim.Page.EvaluateAsync<string>("async (text) => (await mermaid.parse(text)).diagramType", starter), StringComparison.Ordinal);
        await sim.CloseAsync();
    }

    [Fact]
    public async Task Korean_quotes_brackets_and_pipes_in_labels_parse_and_render_as_written()
    {
        string[] labels = ["피자 \"특가\"", "[세트] (2인) {할인}", "A|B <b>&amp; #1 `x`", "끝 --> end; %% 주석"];
        var yaml = "name: 기호\nmonitor: { phone: \"010-0000-0000\" }\nprivacy_consent: true\nhome:\n"
            + string.Concat(labels.Select(label => $"  - {JsonSerializer.Serialize(label)}: 좋아요\n"))
            + "  - \"예약 [2인] /창가/\": { say: 성함은요?, input: { save: name, next: home } }\n";
        var folder = Directory.CreateDirectory(Path.Combine(Server.FlowsDirectory, "symbols")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "flow.yaml"), yaml);
        var text = await Graph(folder);
        var sim = await OpenAsync("pizza");

        var rendered = await sim.Page.EvaluateAsync<string[]>(
            """
            async (text) => {
              await mermaid.parse(text);
              const { svg } = await mermaid.render('symbols-graph', text);
              const box = document.createElement('div');
              box.innerHTML = svg;
              document.body.append(box);
              const nodes = [...box.querySelectorAll('g.node')].map((n) => n.textContent.trim());
              const edges = [...box.querySelectorAll('g.edgeLabel')].map((n) => n.textContent.trim()).filter((t) => t.length > 0);
              return [...nodes, ...edges];
            }
            """,
            text);

        Assert.Equal(["home", .. labels.Select(l => "home/" + l), "home/예약 [2인] /창가/", .. labels, "예약 [2인] /창가/", "input: name"], rendered);
        await sim.CloseAsync();
    }
}
