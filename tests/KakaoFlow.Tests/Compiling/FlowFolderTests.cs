using System.Text;
using KakaoFlow.Compiling;

namespace KakaoFlow.Tests.Compiling;

/// <summary>One read of a bot folder: what is hashed is what is compiled.</summary>
public sealed class FlowFolderTests : IDisposable
{
    private const string Flow = """
        name: 테스트
        monitor: { phone: "010-0000-0000" }
        privacy_consent: true
        scripts: [lib/greet.js]
        home:
          - 인사:
              js: "vars.greeting = greet()"
              say: "{{greeting}}"
        """;

    private readonly string _bot = Path.Combine(Directory.CreateTempSubdirectory("kakaoflow-folder-").FullName, "hello");

    public FlowFolderTests()
    {
        Directory.CreateDirectory(Path.Combine(_bot, "lib"));
        Directory.CreateDirectory(Path.Combine(_bot, "tests"));
        File.WriteAllText(Path.Combine(_bot, "flow.yaml"), Flow, Encoding.UTF8);
        File.WriteAllText(Path.Combine(_bot, "lib", "greet.js"), "function greet() { return 'v1'; }", Encoding.UTF8);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_bot)!, recursive: true);

    [Fact]
    public void The_fingerprint_changes_with_the_flow_and_its_scripts_but_not_with_tests()
    {
        var first = FlowFolder.Read(_bot).Fingerprint;
        Assert.Equal(first, FlowFolder.Read(_bot).Fingerprint);

        File.WriteAllText(Path.Combine(_bot, "tests", "order.yaml"), "turns: []", Encoding.UTF8);
        File.WriteAllText(Path.Combine(_bot, "tests", "helper.js"), "1", Encoding.UTF8);
        Assert.Equal(first, FlowFolder.Read(_bot).Fingerprint);

        File.WriteAllText(Path.Combine(_bot, "lib", "greet.js"), "function greet() { return 'v2'; }", Encoding.UTF8);
        var second = FlowFolder.Read(_bot).Fingerprint;
        Assert.NotEqual(first, second);

        File.AppendAllText(Path.Combine(_bot, "flow.yaml"), "# 주석\n", Encoding.UTF8);
        Assert.NotEqual(second, FlowFolder.Read(_bot).Fingerprint);
    }

    [Fact]
    public void The_source_holds_the_files_as_they_were_read()
    {
        var read = FlowFolder.Read(_bot);
        File.WriteAllText(Path.Combine(_bot, "lib", "greet.js"), "function greet() { return 'v2'; }", Encoding.UTF8);

        Assert.Equal("hello", read.Source.BotId);
        Assert.Equal(Path.Combine(_bot, "flow.yaml"), read.Source.FlowFile);
        Assert.Equal("function greet() { return 'v1'; }", read.Source.ReadFile("lib/greet.js"));
        Assert.Throws<SourceFileRefusedException>(() => read.Source.ReadFile("../hello/../../etc/passwd"));
        Assert.Null(read.Source.ReadFile("missing.js"));
    }

    [Fact]
    public void The_version_of_a_compiled_read_matches_its_sources()
    {
        var read = FlowFolder.Read(_bot);
        var compiled = new FlowCompiler(KakaoFlow.Cli.ScriptEngine.CreateCompiler()).Compile(read.Source);
        Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
        Assert.Equal(FlowSource.VersionOf(Flow, ["function greet() { return 'v1'; }"]), compiled.Flow!.Version);
    }

    [Fact]
    public void A_missing_flow_file_throws_file_not_found()
    {
        File.Delete(Path.Combine(_bot, "flow.yaml"));
        Assert.Throws<FileNotFoundException>(() => FlowFolder.Read(_bot));
    }
}
