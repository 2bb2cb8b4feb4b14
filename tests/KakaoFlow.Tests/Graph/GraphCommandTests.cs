using KakaoFlow.Introspection;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Graph;

/// <summary><c>kakaoflow graph</c>: stdout is only ever a diagram; diagnostics go to stderr in the <c>check</c> format.</summary>
public sealed class GraphCommandTests : IDisposable
{
    private readonly BotFolders _bots = new("kakaoflow-graph-");

    public void Dispose() => _bots.Dispose();

    [Fact]
    public async Task Prints_mermaid_by_default()
    {
        var bot = _bots.Write("test", GraphTests.SmallFlow);

        var (exit, output, errors) = await Kakaoflow.RunAsync("graph", bot);

        Assert.Equal(0, exit);
        Assert.Equal(MermaidGraph.Write(FlowInfo.Of(TestFlows.CompileOk(GraphTests.SmallFlow))), output);
        Assert.Equal("", errors);
    }

    [Fact]
    public async Task Prints_dot_on_request_from_a_flow_file_too()
    {
        var bot = _bots.Write("test", GraphTests.SmallFlow);

        var (exit, output, _) = await Kakaoflow.RunAsync("graph", Path.Combine(bot, "flow.yaml"), "--format", "dot");

        Assert.Equal(0, exit);
        Assert.Equal(DotGraph.Write(FlowInfo.Of(TestFlows.CompileOk(GraphTests.SmallFlow))), output);
    }

    [Fact]
    public async Task With_warnings_only_stdout_is_just_the_diagram()
    {
        var yaml = "home:\n  - 안녕: 반가워요\n";
        var bot = _bots.Write("warn", yaml);

        var (exit, output, errors) = await Kakaoflow.RunAsync("graph", bot);

        Assert.Equal(0, exit);
        Assert.Equal("flowchart TD\n    home([\"home\"])\n    s1(\"home/안녕\")\n    home -->|\"안녕\"| s1\n", output);
        Assert.Contains($"{Path.Combine(bot, "flow.yaml")}:1:1: warning KF019", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flow_with_errors_prints_its_diagnostics_as_check_does_and_exits_one()
    {
        var bot = _bots.Write("bad", TestFlows.Header + "home:\n  - 주문: { goto: nowhere }\n");

        var (exit, output, errors) = await Kakaoflow.RunAsync("graph", bot);
        var (_, check, _) = await Kakaoflow.RunAsync("check", bot);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        var lines = errors.TrimEnd('\n').Split('\n');
        Assert.Equal(check.ReplaceLineEndings("\n").Split('\n')[0], lines[0]);
        Assert.Equal($"kakaoflow graph: {Path.Combine(bot, "flow.yaml")} has errors; no diagram", lines[^1]);
    }

    [Fact]
    public async Task A_folder_of_bots_or_an_unknown_format_is_a_usage_mistake()
    {
        _bots.Write("a", GraphTests.SmallFlow);
        _bots.Write("b", GraphTests.SmallFlow);

        var (many, _, manyErrors) = await Kakaoflow.RunAsync("graph", _bots.Root);
        var (format, _, formatErrors) = await Kakaoflow.RunAsync("graph", Path.Combine(_bots.Root, "a"), "--format", "png");
        var (missing, _, _) = await Kakaoflow.RunAsync("graph", Path.Combine(_bots.Root, "none"));

        Assert.Equal(2, many);
        Assert.Contains("holds 2 bots", manyErrors, StringComparison.Ordinal);
        Assert.Equal(2, format);
        Assert.Contains("png", formatErrors, StringComparison.Ordinal);
        Assert.Equal(2, missing);
    }
}
