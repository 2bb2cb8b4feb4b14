using KakaoFlow.Cli;

namespace KakaoFlow.Tests.Cli;

public sealed class NewCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kakaoflow-new-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(args, TextReader.Null, stdout, stderr);
        return (exit, stdout.ToString().ReplaceLineEndings("\n"), stderr.ToString());
    }

    [Fact]
    public async Task A_new_bot_passes_check_and_test_as_it_is()
    {
        var flows = Path.Combine(_root, "flows");

        var (exit, output, _) = await Run("new", "bakery", "--in", flows);

        Assert.Equal(0, exit);
        Assert.Contains("kakaoflow chat", output, StringComparison.Ordinal);
        var bot = Path.Combine(flows, "bakery");
        Assert.True(File.Exists(Path.Combine(bot, "flow.yaml")));
        Assert.Single(Directory.GetFiles(Path.Combine(bot, "tests"), "*.verified.txt"));

        var check = await Run("check", bot);
        Assert.Equal(0, check.Exit);
        Assert.Contains("0 errors", check.Out, StringComparison.Ordinal);

        var test = await Run("test", bot);
        Assert.Equal(0, test.Exit);
        Assert.Contains("1 scenario: 1 passed", test.Out, StringComparison.Ordinal);

        // The starter shows a branch, an input with a check, and a variable printed back.
        var transcript = File.ReadAllText(Directory.GetFiles(Path.Combine(bot, "tests"), "*.verified.txt")[0]);
        Assert.Contains("이름은 2~10글자로 입력해 주세요.", transcript, StringComparison.Ordinal);
        Assert.Contains("김하늘님, 예약을 받았어요.", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_folder_is_never_overwritten()
    {
        var flows = Path.Combine(_root, "flows");
        Assert.Equal(0, (await Run("new", "bakery", "--in", flows)).Exit);
        var flow = Path.Combine(flows, "bakery", "flow.yaml");
        File.WriteAllText(flow, "# my own work\n");

        var (exit, _, error) = await Run("new", "bakery", "--in", flows);

        Assert.Equal(1, exit);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.Equal("# my own work\n", File.ReadAllText(flow));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("빵집")]
    [InlineData("a b")]
    public async Task A_name_that_cannot_be_a_url_segment_is_a_usage_error(string name)
    {
        var (exit, _, error) = await Run("new", name, "--in", Path.Combine(_root, "flows"));

        Assert.Equal(2, exit);
        Assert.Contains("cannot name a bot", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "flows")));
    }
}
