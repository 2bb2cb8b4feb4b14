using System.Text.RegularExpressions;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Scenarios;
using KakaoFlow.Tests.Support;
using KakaoFlow.Yaml;

namespace KakaoFlow.Tests.Diagnostics;

/// <summary>Keeps docs/diagnostics.md true: every code documented, every example doing what it says.</summary>
public sealed partial class DiagnosticsDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(TestFlows.RepoRoot, "docs", "diagnostics.md"));

    [GeneratedRegex(@"^## (KF\d{3})\s*$", RegexOptions.Multiline)]
    private static partial Regex SectionHeading();

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    private static Dictionary<string, string> Sections()
    {
        var headings = SectionHeading().Matches(Doc);
        var sections = new Dictionary<string, string>();
        for (var i = 0; i < headings.Count; i++)
        {
            var end = i + 1 < headings.Count ? headings[i + 1].Index : Doc.Length;
            sections[headings[i].Groups[1].Value] = Doc[headings[i].Index..end];
        }

        return sections;
    }

    public static TheoryData<string> Codes()
    {
        var data = new TheoryData<string>();
        foreach (var code in DiagnosticCodes.All.Select(d => d.Code))
        {
            data.Add(code);
        }

        return data;
    }

    private static FlowCompilation Compile(string example) =>
        TestFlows.Compiler.Compile(FlowSource.InMemory("doc", example.StartsWith("name:", StringComparison.Ordinal) ? example : TestFlows.Header + example));

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_code_is_documented_in_the_table_and_a_section(string code)
    {
        Assert.Contains($"| [{code}](#{code.ToLowerInvariant()}) |", Doc, StringComparison.Ordinal);
        Assert.True(Sections().ContainsKey(code), $"docs/diagnostics.md has no section for {code}");
        var severity = DiagnosticCodes.All.Single(d => d.Code == code).Severity == DiagnosticSeverity.Error ? "error" : "warning";
        Assert.Contains($"**{severity}**", Sections()[code], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Bad_example_reports_its_code_and_the_fix_is_clean(string code)
    {
        var blocks = YamlBlock().Matches(Sections()[code]);
        if (code is "KF026" or "KF030" or "KF034" or "KF042")
        {
            Assert.Empty(blocks);
            return;
        }

        Assert.Equal(2, blocks.Count);
        if (code is "KF033")
        {
            var commands = ShellBlock().Matches(Sections()[code]);
            Assert.Equal(2, commands.Count);
            Assert.Contains(CompileInFolder(blocks[0].Groups[1].Value, commands[0].Groups[1].Value).Diagnostics, d => d.Code == code);

            // The fix starts from where the bad example left the folder.
            Assert.Empty(CompileInFolder(blocks[1].Groups[1].Value, commands[0].Groups[1].Value + "&&" + commands[1].Groups[1].Value).Diagnostics);
            return;
        }

        if (code is "KF040" or "KF041")
        {
            Assert.Contains(CheckScenario(blocks[0].Groups[1].Value), d => d.Code == code);
            Assert.Empty(CheckScenario(blocks[1].Groups[1].Value));
            return;
        }

        var bad = Compile(blocks[0].Groups[1].Value);
        var good = Compile(blocks[1].Groups[1].Value);

        Assert.Contains(bad.Diagnostics, d => d.Code == code);
        Assert.Empty(good.Diagnostics);
    }

    /// <summary>
    /// An example about files: compiled from a bot folder <c>flows/doc</c> next to <c>common/greet.js</c>, after the
    /// given shell commands (<c>ln -s</c>, <c>cp</c>, <c>rm</c>, joined by <c>&amp;&amp;</c> or lines) ran in the bot folder.
    /// </summary>
    private static FlowCompilation CompileInFolder(string example, string shell)
    {
        var root = Directory.CreateTempSubdirectory("kakaoflow-doc-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "common"));
            File.WriteAllText(Path.Combine(root, "common", "greet.js"), "function greet() { return '안녕하세요'; }");
            var bot = Directory.CreateDirectory(Path.Combine(root, "flows", "doc")).FullName;
            File.WriteAllText(Path.Combine(bot, "flow.yaml"), TestFlows.Header + example);
            foreach (var command in shell.Split(["&&", "\n"], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (words)
                {
                    case ["ln", "-s", var target, var name]:
                        File.CreateSymbolicLink(Path.Combine(bot, name), target);
                        break;
                    case ["cp", var from, var name]:
                        File.Copy(Path.Combine(bot, from), Path.Combine(bot, name));
                        break;
                    case ["rm", var name]:
                        File.Delete(Path.Combine(bot, name));
                        break;
                    default:
                        Assert.Fail($"the doc test does not know the command '{command}'");
                        break;
                }
            }

            return KakaoFlow.Cli.FlowLocator.Compile(TestFlows.Compiler, Path.Combine(bot, "flow.yaml"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Scenario examples are read and checked against the sample bot flows/pizza.</summary>
    private static IReadOnlyList<Diagnostic> CheckScenario(string example)
    {
        var pizza = TestFlows.Compiler.Compile(FlowSource.FromDisk(Path.Combine(TestFlows.RepoRoot, "flows", "pizza"))).Flow!;
        var diagnostics = new DiagnosticBag();
        if (ScenarioReader.Read(new YamlSourceText("doc.yaml", example), diagnostics) is { } scenario)
        {
            diagnostics.AddRange(ScenarioRunner.Check(pizza, scenario));
        }

        return diagnostics.Items;
    }

    [Fact]
    public void Flow_with_javascript_and_no_script_engine_reports_KF030()
    {
        var compilation = new FlowCompiler(null).Compile(FlowSource.InMemory("doc", TestFlows.Header + """
            home:
              - 계산:
                  js: vars.total = 1;
                  say: "{{total}}"
            """));

        Assert.Contains(compilation.Diagnostics, d => d.Code == "KF030");
        Assert.False(compilation.Success);
    }
}
