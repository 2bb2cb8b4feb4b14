using System.Text;
using KakaoFlow.Compiling;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Diagnostics;

/// <summary>
/// Each <c>invalid/NAME.yaml</c> has a twin <c>NAME.expected.txt</c> holding the exact <c>check</c> lines.
/// The file name starts with the code it must produce. After a deliberate change, rewrite the twins with
/// <c>KAKAOFLOW_UPDATE_EXPECTED=1 dotnet test</c> and review the diff.
/// </summary>
public sealed class InvalidFlowTests
{
    private static readonly string Folder = Path.Combine(TestFlows.RepoRoot, "tests", "KakaoFlow.Tests", "Diagnostics", "invalid");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_output_matches_the_expected_twin(string name)
    {
        var text = File.ReadAllText(Path.Combine(Folder, name + ".yaml"), Encoding.UTF8);
        var compilation = TestFlows.Compiler.Compile(FlowSource.InMemory("invalid", text, flowFile: name + ".yaml"));
        var actual = string.Concat(compilation.Diagnostics.Select(d => d.Format() + "\n"));

        var code = name[..5];
        Assert.Contains(compilation.Diagnostics, d => d.Code == code);

        var expectedFile = Path.Combine(Folder, name + ".expected.txt");
        if (Environment.GetEnvironmentVariable("KAKAOFLOW_UPDATE_EXPECTED") == "1")
        {
            File.WriteAllText(expectedFile, actual, new UTF8Encoding(false));
        }

        Assert.True(File.Exists(expectedFile), $"{expectedFile} is missing; run with KAKAOFLOW_UPDATE_EXPECTED=1 and review it");
        Assert.Equal(File.ReadAllText(expectedFile, Encoding.UTF8), actual);
    }

    [Fact]
    public void Every_code_in_the_catalogue_has_a_fixture_or_a_dedicated_test()
    {
        var fixtures = Directory.GetFiles(Folder, "*.yaml").Select(f => Path.GetFileName(f)[..5]).ToHashSet();
        // KF040-KF042 are about test scenarios, not flows: TestCommandTests and DiagnosticsDocTests cover them.
        // KF033 needs a symbolic link, which a fixture compiled from memory cannot hold: FolderBoundaryTests makes them.
        // KF034 is about a file's size on disk: FlowFolderTests writes files over 1 MiB.
        var dedicated = new HashSet<string> { "KF026", "KF030", "KF033", "KF034", "KF040", "KF041", "KF042" };
        var missing = KakaoFlow.Diagnostics.DiagnosticCodes.All.Select(d => d.Code).Where(c => !fixtures.Contains(c) && !dedicated.Contains(c));
        Assert.Empty(missing);
    }
}
