using KakaoFlow.Cli;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Cli;

public sealed class CheckCommandTests : IDisposable
{
    private readonly BotFolders _bots = new("kakaoflow-check-");

    public void Dispose() => _bots.Dispose();

    [Fact]
    public async Task Clean_flow_exits_zero_with_a_summary()
    {
        var bot = _bots.Write("good", TestFlows.Header + "home:\n  - 안녕: 반가워요\n");

        var (exit, output, _) = await Kakaoflow.RunAsync("check", bot);

        Assert.Equal(0, exit);
        Assert.Equal("checked 1 bot: 0 errors, 0 warnings\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Errors_print_located_lines_and_exit_one()
    {
        var bot = _bots.Write("bad", TestFlows.Header + "home:\n  - 주문: { goto: nowhere }\n");

        var (exit, output, _) = await Kakaoflow.RunAsync("check", bot);

        Assert.Equal(1, exit);
        var lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal($"{Path.Combine(bot, "flow.yaml")}:5:17: error KF010: goto target 'nowhere' is not a step (there are no named steps; add one under 'steps:')", lines[0]);
        Assert.Equal("checked 1 bot: 1 error, 0 warnings", lines[^1]);
    }

    [Fact]
    public async Task Warnings_alone_exit_zero()
    {
        var bot = _bots.Write("warn", "home:\n  - 안녕: 반가워요\n");

        var (exit, output, _) = await Kakaoflow.RunAsync("check", bot);

        Assert.Equal(0, exit);
        Assert.Contains("warning KF019", output, StringComparison.Ordinal);
        Assert.Contains("warning KF020", output, StringComparison.Ordinal);
        Assert.EndsWith("checked 1 bot: 0 errors, 2 warnings\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_of_bots_checks_each_and_a_flow_file_works_too()
    {
        _bots.Write("a", TestFlows.Header + "home:\n  - 안녕: 반가워요\n");
        var b = _bots.Write("b", TestFlows.Header + "home: []\n");

        var folder = await Kakaoflow.RunAsync("check", _bots.Root);
        var file = await Kakaoflow.RunAsync("check", Path.Combine(b, "flow.yaml"));

        Assert.Equal(1, folder.Exit);
        Assert.EndsWith("checked 2 bots: 1 error, 0 warnings\n", folder.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(1, file.Exit);
        Assert.Contains("error KF014", file.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_come_first_then_warnings_across_all_bots()
    {
        // Bot a has only a warning (the 'lonely' step); bot b has an error on a later line of its file.
        _bots.Write("a", TestFlows.Header + "home:\n  - 안녕: 반가워요\nsteps:\n  lonely: 혼자\n");
        _bots.Write("b", TestFlows.Header + "steps:\n  외딴: 혼자\nhome: []\n");

        var (exit, output, _) = await Kakaoflow.RunAsync("check", _bots.Root);

        Assert.Equal(1, exit);
        var lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Contains("error KF014", lines[0], StringComparison.Ordinal);
        Assert.Contains("warning KF018: step 'lonely'", lines[1], StringComparison.Ordinal);
        Assert.Contains("warning KF018: step '외딴'", lines[2], StringComparison.Ordinal);
        Assert.Equal("checked 2 bots: 1 error, 2 warnings", lines[3]);
    }

    [Fact]
    public async Task Usage_errors_exit_two()
    {
        Assert.Equal(2, (await Kakaoflow.RunAsync()).Exit);
        Assert.Equal(2, (await Kakaoflow.RunAsync("frobnicate")).Exit);
        Assert.Equal(2, (await Kakaoflow.RunAsync("check", "--colour")).Exit);
        var missing = await Kakaoflow.RunAsync("check", Path.Combine(_bots.Root, "no-such-bot"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("no-such-bot", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_flow_is_a_diagnostic_not_a_crash()
    {
        var bot = _bots.Write("dir-as-file", "");
        var flowFile = Path.Combine(bot, "flow.yaml");
        File.Delete(flowFile);
        Directory.CreateDirectory(flowFile);

        var compilation = FlowLocator.Compile(TestFlows.Compiler, flowFile);

        var error = Assert.Single(compilation.Diagnostics);
        Assert.Equal("KF026", error.Code);
    }

    [Fact]
    public void Colour_output_keeps_the_same_words()
    {
        var diagnostic = Assert.Single(TestFlows.Diagnostics(TestFlows.Header + "home: []\n"));

        var coloured = CheckCommand.FormatLine(diagnostic, new Terminal(color: true));

        Assert.Contains("\u001b[31merror\u001b[0m KF014", coloured, StringComparison.Ordinal);
        Assert.Equal(diagnostic.Format(), CheckCommand.FormatLine(diagnostic, Terminal.Plain));
    }
}
