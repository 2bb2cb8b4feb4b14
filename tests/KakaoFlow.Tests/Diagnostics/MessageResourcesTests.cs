using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using KakaoFlow.Diagnostics;
using KakaoFlow.Resources;
using KakaoFlow.Scripting;
using KakaoFlow.Templates;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Diagnostics;

/// <summary>
/// The message resources (Core: Resources/Messages*.resx, Scripting: Resources/ScriptMessages*.resx) hold every
/// message in English and Korean: the same keys, the same arguments, formats that format.
/// </summary>
public sealed partial class MessageResourcesTests
{
    private static readonly CultureInfo Korean = UiLanguage.KoreanCulture;

    private static readonly Dictionary<string, ResourceManager> Managers = new(StringComparer.Ordinal)
    {
        ["Messages"] = Messages.ResourceManager,
        ["ScriptMessages"] = ScriptMessages.ResourceManager,
    };

    public static TheoryData<string> ManagerNames { get; } = [.. Managers.Keys];

    public static TheoryData<string, string> Entries()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, manager) in Managers)
        {
            foreach (var key in Keys(manager, CultureInfo.InvariantCulture))
            {
                data.Add(name, key);
            }
        }

        return data;
    }

    /// <summary>The keys a culture's own resources hold (not those it falls back to).</summary>
    private static SortedSet<string> Keys(ResourceManager manager, CultureInfo culture) =>
        new(manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!.Cast<DictionaryEntry>().Select(e => (string)e.Key), StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(ManagerNames))]
    public void English_and_Korean_have_the_same_keys(string name)
    {
        var english = Keys(Managers[name], CultureInfo.InvariantCulture);
        var korean = Keys(Managers[name], Korean);

        Assert.NotEmpty(english);
        Assert.Empty(english.Except(korean));
        Assert.Empty(korean.Except(english));
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void English_and_Korean_use_the_same_arguments_and_both_format(string name, string key)
    {
        var english = Managers[name].GetString(key, CultureInfo.InvariantCulture)!;
        var korean = Managers[name].GetString(key, Korean)!;

        Assert.Equal(MessageText.ArgumentsOf(english), MessageText.ArgumentsOf(korean));
        Assert.NotEqual(english, korean);
        object[] args = ["메뉴", 12, "주문", "값"];
        Assert.False(string.IsNullOrWhiteSpace(MessageText.Format(english, args)));
        Assert.DoesNotContain("{0", MessageText.Format(korean, args), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?<!\{)\{\d+\|([^}]*)\}")]
    private static partial Regex ParticlePlaceholder();

    [Theory]
    [MemberData(nameof(Entries))]
    public void Korean_particles_are_ones_KakaoFlow_chooses_and_English_has_none(string name, string key)
    {
        var korean = Managers[name].GetString(key, Korean)!;

        Assert.All(ParticlePlaceholder().Matches(korean), m => Assert.True(KoreanParticles.IsKnown(m.Groups[1].Value), $"{key}: '{m.Groups[1].Value}' is not a particle"));
        Assert.Empty(ParticlePlaceholder().Matches(Managers[name].GetString(key, CultureInfo.InvariantCulture)!));
    }

    [Fact]
    public void The_korean_satellite_assemblies_are_next_to_the_tests()
    {
        foreach (var assembly in new[] { "KakaoFlow.Core", "KakaoFlow.Scripting" })
        {
            Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "ko", assembly + ".resources.dll")), assembly);
        }
    }

    public static TheoryData<string> Codes { get; } = [.. DiagnosticCodes.All.Select(d => d.Code)];

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_descriptor_renders_in_both_languages_with_the_same_code_and_place(string code)
    {
        var descriptor = DiagnosticCodes.All.Single(d => d.Code == code);
        var span = new SourceSpan("flows/bakery/flow.yaml", 7, 5);
        object[] args = [.. Enumerable.Range(0, 3).Select(i => (object)("값" + i))];

        Diagnostic english, korean;
        using (UiLanguage.English())
        {
            english = descriptor.Create(span, args);
        }

        using (UiLanguage.Korean())
        {
            korean = descriptor.Create(span, args);
            Assert.Matches(@"\p{IsHangulSyllables}", descriptor.Title);
        }

        Assert.DoesNotMatch(@"\p{IsHangulSyllables}", descriptor.TitleIn(CultureInfo.InvariantCulture));
        Assert.Matches(@"\p{IsHangulSyllables}", korean.Message);
        Assert.NotEqual(english.Message, korean.Message);
        Assert.Equal((english.Code, english.Severity, english.Span), (korean.Code, korean.Severity, korean.Span));
        Assert.StartsWith($"flows/bakery/flow.yaml:7:5: {(english.IsError ? "error" : "warning")} {code}: ", korean.Format(), StringComparison.Ordinal);
    }
}
