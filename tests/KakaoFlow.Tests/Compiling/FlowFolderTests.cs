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

    private static readonly FlowCompiler Compiler = new(KakaoFlow.Cli.ScriptEngine.CreateCompiler());

    /// <summary>A read that knows which scripts the flow names, as the host's second and later looks are.</summary>
    private FlowFolder CompiledRead()
    {
        var read = FlowFolder.Read(_bot);
        Assert.True(read.Compile(Compiler).Success);
        Assert.Equal(["lib/greet.js"], read.Scripts);
        return read;
    }

    [Fact]
    public void The_fingerprint_changes_with_the_flow_and_its_scripts_but_not_with_tests()
    {
        var first = CompiledRead().Fingerprint;
        Assert.Equal(first, FlowFolder.Read(_bot, ["lib/greet.js"]).Fingerprint);

        File.WriteAllText(Path.Combine(_bot, "tests", "order.yaml"), "turns: []", Encoding.UTF8);
        File.WriteAllText(Path.Combine(_bot, "tests", "helper.js"), "1", Encoding.UTF8);
        Assert.Equal(first, FlowFolder.Read(_bot, ["lib/greet.js"]).Fingerprint);

        File.WriteAllText(Path.Combine(_bot, "lib", "greet.js"), "function greet() { return 'v2'; }", Encoding.UTF8);
        var second = FlowFolder.Read(_bot, ["lib/greet.js"]).Fingerprint;
        Assert.NotEqual(first, second);

        File.Delete(Path.Combine(_bot, "lib", "greet.js"));
        Assert.NotEqual(second, FlowFolder.Read(_bot, ["lib/greet.js"]).Fingerprint);

        File.AppendAllText(Path.Combine(_bot, "flow.yaml"), "# 주석\n", Encoding.UTF8);
        Assert.NotEqual(first, FlowFolder.Read(_bot, ["lib/greet.js"]).Fingerprint);
    }

    [Fact]
    public void After_a_compile_the_read_covers_exactly_the_scripts_the_flow_named()
    {
        File.WriteAllText(Path.Combine(_bot, "lib", "old.js"), "function old() {}", Encoding.UTF8);
        var read = FlowFolder.Read(_bot, ["lib/greet.js", "lib/old.js"]);
        Assert.Equal(["lib/greet.js", "lib/old.js"], read.Scripts);

        Assert.True(read.Compile(Compiler).Success);
        Assert.Equal(["lib/greet.js"], read.Scripts);
        Assert.Equal(FlowFolder.Read(_bot, ["lib/greet.js"]).Fingerprint, read.Fingerprint);
        Assert.Equal([Path.Combine(_bot, "flow.yaml"), Path.Combine(_bot, "lib", "greet.js")], read.WatchedFiles);
    }

    [Fact]
    public void Js_files_the_flow_does_not_name_are_neither_read_nor_hashed()
    {
        var first = FlowFolder.Read(_bot).Fingerprint;

        // A package tree in the folder, and a link to a big tree elsewhere: nothing the flow names.
        Directory.CreateDirectory(Path.Combine(_bot, "node_modules", "pkg"));
        File.WriteAllText(Path.Combine(_bot, "node_modules", "pkg", "index.js"), "module.exports = 1;", Encoding.UTF8);
        var tree = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(_bot)!, "tree", "deep")).FullName;
        File.WriteAllText(Path.Combine(tree, "big.js"), new string('x', 3 * 1024 * 1024), Encoding.UTF8);
        Directory.CreateSymbolicLink(Path.Combine(_bot, "tree"), Path.GetDirectoryName(tree)!);

        Assert.Equal(first, FlowFolder.Read(_bot).Fingerprint);

        // The host's later looks read the named scripts too, and still nothing else.
        var read = CompiledRead();
        File.WriteAllText(Path.Combine(_bot, "node_modules", "pkg", "index.js"), "module.exports = 2;", Encoding.UTF8);
        Assert.Equal(read.Fingerprint, FlowFolder.Read(_bot, read.Scripts).Fingerprint);
    }

    [Fact]
    public void A_flow_file_over_1_MiB_is_refused_unread_with_KF034()
    {
        File.AppendAllText(Path.Combine(_bot, "flow.yaml"), "\n" + string.Concat(Enumerable.Repeat("# 주석 한 줄\n", 100_000)), Encoding.UTF8);
        Assert.True(new FileInfo(Path.Combine(_bot, "flow.yaml")).Length > 1024 * 1024);

        var refused = Assert.ThrowsAny<IOException>(() => FlowFolder.Read(_bot));
        Assert.Contains("1048576", refused.Message, StringComparison.Ordinal);
        var compilation = KakaoFlow.Cli.FlowLocator.Compile(Compiler, Path.Combine(_bot, "flow.yaml"));
        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal("KF034", diagnostic.Code);
        Assert.Equal((1, 1), (diagnostic.Span.Line, diagnostic.Span.Column));
    }

    [Fact]
    public void A_script_over_1_MiB_is_refused_unread_with_KF034_at_its_entry()
    {
        File.WriteAllText(Path.Combine(_bot, "lib", "greet.js"), "function greet() { return 'v1'; }\n" + new string('/', 2 * 1024 * 1024), Encoding.UTF8);

        var compilation = FlowFolder.Read(_bot).Compile(Compiler);
        var diagnostic = Assert.Single(compilation.Diagnostics);
        Assert.Equal("KF034", diagnostic.Code);
        Assert.Equal(4, diagnostic.Span.Line);
        Assert.Contains("'lib/greet.js'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_source_holds_the_files_as_they_were_read()
    {
        var read = FlowFolder.Read(_bot, ["lib/greet.js"]);
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
        var compiled = read.Compile(Compiler);
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
