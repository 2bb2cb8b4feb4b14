using System.Text.RegularExpressions;
using KakaoFlow.Diagnostics;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Diagnostics;

/// <summary>
/// Keeps docs/diagnostics.ko.md the Korean twin of docs/diagnostics.md: every code, with the Korean title of the
/// message resources (Messages.ko.resx), and the same bad example and fix as the English page (whose test compiles them).
/// </summary>
public sealed partial class KoreanDiagnosticsDocTests
{
    private static readonly string Korean = Read("diagnostics.ko.md");
    private static readonly string English = Read("diagnostics.md");

    private static string Read(string name) => File.ReadAllText(Path.Combine(TestFlows.RepoRoot, "docs", name)).ReplaceLineEndings("\n");

    [GeneratedRegex(@"^## (KF\d{3})\s*$", RegexOptions.Multiline)]
    private static partial Regex SectionHeading();

    [GeneratedRegex(@"```\w+\n.*?```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    private static Dictionary<string, string> Sections(string doc)
    {
        var headings = SectionHeading().Matches(doc);
        return headings.Select((h, i) => (Code: h.Groups[1].Value, Text: doc[h.Index..(i + 1 < headings.Count ? headings[i + 1].Index : doc.Length)]))
            .ToDictionary(s => s.Code, s => s.Text, StringComparer.Ordinal);
    }

    public static TheoryData<string> Codes { get; } = [.. DiagnosticCodes.All.Select(d => d.Code)];

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_code_has_its_korean_title_in_the_table_and_its_section(string code)
    {
        var descriptor = DiagnosticCodes.All.Single(d => d.Code == code);
        var title = descriptor.TitleIn(UiLanguage.KoreanCulture);
        var severity = descriptor.Severity == DiagnosticSeverity.Error ? "오류" : "경고";

        Assert.Contains($"| [{code}](#{code.ToLowerInvariant()}) | {severity} | {title} |", Korean, StringComparison.Ordinal);
        Assert.True(Sections(Korean).TryGetValue(code, out var section), $"docs/diagnostics.ko.md has no section for {code}");
        Assert.Contains($"\n**{severity}** — {title}\n", section, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_section_shows_the_same_bad_example_and_fix_as_the_english_page(string code)
    {
        var english = FencedBlock().Matches(Sections(English)[code]).Select(m => m.Value);
        var korean = FencedBlock().Matches(Sections(Korean)[code]).Select(m => m.Value);

        Assert.Equal(english, korean);
    }

    [Fact]
    public void The_korean_page_has_no_section_for_a_code_that_does_not_exist()
    {
        Assert.Equal(DiagnosticCodes.All.Select(d => d.Code).Order(StringComparer.Ordinal), Sections(Korean).Keys.Order(StringComparer.Ordinal));
    }
}
