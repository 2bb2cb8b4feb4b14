using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Tests.Support;

/// <summary>Compiles flows held in test code, and finds the repository's files.</summary>
internal static class TestFlows
{
    public static FlowCompiler Compiler { get; } = new(KakaoFlow.Cli.ScriptEngine.CreateCompiler());

    public static FlowCompilation Compile(string yaml, IReadOnlyDictionary<string, string>? files = null, string botId = "test") =>
        Compiler.Compile(FlowSource.InMemory(botId, yaml, files));

    public static CompiledFlow CompileOk(string yaml, IReadOnlyDictionary<string, string>? files = null)
    {
        var compilation = Compile(yaml, files);
        Assert.True(compilation.Success, "flow did not compile:\n" + string.Join("\n", compilation.Diagnostics.Select(d => d.Format())));
        return compilation.Flow!;
    }

    public static IReadOnlyList<Diagnostic> Diagnostics(string yaml, IReadOnlyDictionary<string, string>? files = null) =>
        Compile(yaml, files).Diagnostics;

    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KakaoFlow.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("KakaoFlow.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A minimal valid header, so tests only write what they are about.</summary>
    public const string Header = """
        name: 테스트
        monitor: { phone: "010-0000-0000" }
        privacy_consent: true

        """;
}
