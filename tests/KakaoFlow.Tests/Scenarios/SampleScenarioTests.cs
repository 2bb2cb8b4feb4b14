using System.Text;
using KakaoFlow.Cli;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Scenarios;
using KakaoFlow.Tests.Schema;
using KakaoFlow.Tests.Support;
using KakaoFlow.Yaml;

namespace KakaoFlow.Tests.Scenarios;

/// <summary>
/// Every scenario the sample bots ship (<c>flows/*/tests/*.yaml</c>) must still produce its committed
/// <c>.verified.txt</c>: a change in how a sample flow answers fails CI until the snapshot is reviewed and
/// accepted with <c>kakaoflow test --accept</c>.
/// </summary>
public sealed class SampleScenarioTests
{
    /// <summary>Every <c>flows/*/tests/*.yaml</c>, relative to the repository, sorted.</summary>
    private static List<string> ScenarioFiles() =>
        [.. Directory.GetFiles(Path.Combine(TestFlows.RepoRoot, "flows"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == TestCommand.TestsFolder)
            .Select(f => Path.GetRelativePath(TestFlows.RepoRoot, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    public static TheoryData<string> SampleScenarios()
    {
        var data = new TheoryData<string>();
        foreach (var file in ScenarioFiles())
        {
            data.Add(file);
        }

        return data;
    }

    [Fact]
    public void Every_sample_bot_ships_scenarios()
    {
        var bots = Directory.GetDirectories(Path.Combine(TestFlows.RepoRoot, "flows")).Where(d => File.Exists(Path.Combine(d, "flow.yaml")));
        var scenarios = ScenarioFiles();

        Assert.All(bots, bot => Assert.True(
            scenarios.Count(s => s.StartsWith($"flows/{Path.GetFileName(bot)}/tests/", StringComparison.Ordinal)) >= 3,
            $"{bot} needs scenarios covering its branches in tests/"));
    }

    [Theory]
    [MemberData(nameof(SampleScenarios))]
    public void Sample_scenario_matches_its_verified_transcript(string relativePath)
    {
        var file = Path.Combine(TestFlows.RepoRoot, relativePath);
        var bot = Path.GetDirectoryName(Path.GetDirectoryName(file))!;
        var flow = TestFlows.Compiler.Compile(FlowSource.FromDisk(bot)).Flow;
        Assert.NotNull(flow);

        var diagnostics = new DiagnosticBag();
        var scenario = ScenarioReader.Read(new YamlSourceText(relativePath, File.ReadAllText(file, Encoding.UTF8)), diagnostics);
        Assert.True(scenario is not null, string.Join("\n", diagnostics.Items.Select(d => d.Format())));
        Assert.Empty(ScenarioRunner.Check(flow, scenario));

        var transcript = new ScenarioRunner(flow, bot).Run(scenario);

        var verified = TestCommand.VerifiedFileOf(file);
        Assert.True(File.Exists(verified), $"{verified} is missing: run `kakaoflow test {relativePath}`, review the received file, then --accept");
        Assert.Equal(File.ReadAllText(verified, Encoding.UTF8).ReplaceLineEndings("\n"), transcript);
    }

    [Theory]
    [MemberData(nameof(SampleScenarios))]
    public async Task Sample_scenario_follows_the_schema(string relativePath)
    {
        var errors = await SchemaAssert.ValidateScenarioAsync(File.ReadAllText(Path.Combine(TestFlows.RepoRoot, relativePath), Encoding.UTF8));

        Assert.True(errors.Count == 0, SchemaAssert.Describe(errors));
    }

    [Fact]
    public void The_command_passes_on_the_samples()
    {
        var stdout = new StringWriter();

        var exit = TestCommand.Run([Path.Combine(TestFlows.RepoRoot, "flows")], accept: false, stdout, new StringWriter(), Terminal.Plain);

        Assert.True(exit == 0, stdout.ToString());
        Assert.Matches(@"\d+ scenarios: \d+ passed\n$", stdout.ToString().ReplaceLineEndings("\n"));
    }
}
