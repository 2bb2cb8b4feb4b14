using System.Diagnostics;
using KakaoFlow.Host.Tests.Support;
using Xunit.Abstractions;

namespace KakaoFlow.Host.Tests;

/// <summary>Builds one Release package and more than a minute of CPU: run alone, after the timing-sensitive tests.</summary>
[CollectionDefinition(nameof(ToolPackageTests), DisableParallelization = true)]
public sealed class ToolPackageCollection;

/// <summary>
/// The way a newcomer gets the command: <c>dotnet pack engine/KakaoFlow.Cli</c>, then <c>dotnet tool install
/// --tool-path T --add-source DIR KakaoFlow.Cli</c> gives a working <c>T/kakaoflow</c>.
/// </summary>
[Collection(nameof(ToolPackageTests))]
public sealed class ToolPackageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kakaoflow-tool-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_packed_tool_installs_as_kakaoflow_and_its_hints_work()
    {
        var packages = Path.Combine(_root, "packages");
        var tools = Path.Combine(_root, "tools");
        var project = Path.Combine(TestHost.RepoRoot, "engine", "KakaoFlow.Cli");
        await RunAsync("dotnet", ["pack", project, "-c", "Release", "-o", packages, "-p:ContinuousIntegrationBuild=true"], TestHost.RepoRoot);
        await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packages, "KakaoFlow.Cli"], _root);

        var kakaoflow = Path.Combine(tools, OperatingSystem.IsWindows() ? "kakaoflow.exe" : "kakaoflow");
        Assert.Contains("new", await RunAsync(kakaoflow, ["--help"], _root), StringComparison.Ordinal);
        var created = await RunAsync(kakaoflow, ["new", "bakery", "--in", "flows"], _root);

        // Every command the tool suggests works as printed.
        foreach (var hint in created.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("kakaoflow check", StringComparison.Ordinal) || line.StartsWith("kakaoflow test", StringComparison.Ordinal)))
        {
            var words = hint.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            await RunAsync(kakaoflow, words[1..3], _root);
        }

        // The Korean messages ship in the package (satellite assemblies), System.CommandLine's Korean help headings too.
        var korean = await RunAsync(kakaoflow, ["check", "flows/bakery", "--lang", "ko"], _root);
        Assert.StartsWith("봇 1개를 검사했어요: 오류 0개, ", korean.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')[^1], StringComparison.Ordinal);
        Assert.Contains("사용법:", await RunAsync(kakaoflow, ["new", "--help", "--lang", "ko"], _root), StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(string file, string[] args, string directory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout;
        output.WriteLine($"$ {Path.GetFileName(file)} {string.Join(' ', args)}\n{text}{await stderr}");
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(file)} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return text;
    }
}
