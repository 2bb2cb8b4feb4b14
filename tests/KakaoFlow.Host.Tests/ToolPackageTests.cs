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

        // The Korean diagnostics ship in the package (ko/KakaoFlow.Core.resources.dll next to the tool), chosen by the environment.
        var bad = Directory.CreateDirectory(Path.Combine(_root, "flows", "typo")).FullName;
        await File.WriteAllTextAsync(Path.Combine(bad, "flow.yaml"), "name: 빵집\nmonitor: { phone: \"010-0000-0000\" }\nprivacy_consent: true\nhome:\n  - 메뉴:\n      sya: 오늘의 빵\n");
        var korean = new Dictionary<string, string> { ["KAKAOFLOW_LANG"] = "ko", ["LC_ALL"] = "ko_KR.UTF-8" };
        var check = await RunAsync(kakaoflow, ["check", "flows/typo"], _root, korean, exitCode: 1);
        Assert.Contains("error KF004: 'sya'는 버튼 '메뉴'에 쓸 수 있는 키가 아니에요 ('say'를 쓰려고 했나요?)", check, StringComparison.Ordinal);

        // The CLI's own Korean messages ship too, and System.CommandLine's Korean help headings; --lang wins over the environment.
        var summary = await RunAsync(kakaoflow, ["check", "flows/bakery", "--lang", "ko"], _root);
        Assert.StartsWith("봇 1개를 검사했어요: 오류 0개, ", summary.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')[^1], StringComparison.Ordinal);
        Assert.Contains("사용법:", await RunAsync(kakaoflow, ["new", "--help", "--lang", "ko"], _root), StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(string file, string[] args, string directory, IReadOnlyDictionary<string, string>? environment = null, int exitCode = 0)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        // English unless the test asks otherwise, whatever the machine's locale.
        start.Environment["KAKAOFLOW_LANG"] = "en";
        start.Environment["LC_ALL"] = "C.UTF-8";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout;
        output.WriteLine($"$ {Path.GetFileName(file)} {string.Join(' ', args)}\n{text}{await stderr}");
        Assert.True(process.ExitCode == exitCode, $"{Path.GetFileName(file)} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return text;
    }
}
