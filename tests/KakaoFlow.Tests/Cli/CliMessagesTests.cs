using System.Collections;
using System.CommandLine;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using KakaoFlow.Cli;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;

namespace KakaoFlow.Tests.Cli;

/// <summary>Every message and help text exists in English and Korean with the same placeholders, and --help is Korean.</summary>
public sealed partial class CliMessagesTests
{
    private static readonly CultureInfo Korean = CultureInfo.GetCultureInfo("ko");

    [GeneratedRegex(@"\{(\d+)[^}]*\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <summary>The messages of one language alone (no fallback to the neutral English).</summary>
    private static Dictionary<string, string> Messages(CultureInfo culture) =>
        CliMessages.ResourceManager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!
            .Cast<DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string)entry.Value!, StringComparer.Ordinal);

    private static Dictionary<string, string> English => Messages(CultureInfo.InvariantCulture);

    private static SortedSet<string> Placeholders(string text) =>
        new(Placeholder().Matches(text).Select(match => match.Groups[1].Value), StringComparer.Ordinal);

    [Fact]
    public void Every_message_exists_in_both_languages()
    {
        var english = English;
        var korean = Messages(Korean);

        Assert.True(english.Count > 100, $"only {english.Count} English messages were found");
        Assert.Empty(english.Keys.Except(korean.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(korean.Keys.Except(english.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(korean.Where(pair => string.IsNullOrWhiteSpace(pair.Value)).Select(pair => pair.Key));
    }

    [Fact]
    public void Both_languages_fill_in_the_same_placeholders()
    {
        var korean = Messages(Korean);
        var differ = English
            .Where(pair => korean.TryGetValue(pair.Key, out var text) && !Placeholders(pair.Value).SetEquals(Placeholders(text)))
            .Select(pair => $"{pair.Key}: {{{string.Join("},{", Placeholders(pair.Value))}}} vs {{{string.Join("},{", Placeholders(korean[pair.Key]))}}}")
            .ToList();

        Assert.Empty(differ);
    }

    [Fact]
    public void Korean_messages_are_Korean_where_English_has_words()
    {
        // The few that are the same on purpose: formats of other messages, codes people and scripts look for.
        string[] same = ["Test_AcceptedInto", "Test_Summary", "List_Separator", "ApiTest_Pass", "ApiTest_Fail"];
        var korean = Messages(Korean);
        var untranslated = English.Where(pair => !same.Contains(pair.Key) && korean.TryGetValue(pair.Key, out var text) && text == pair.Value).Select(pair => pair.Key).ToList();

        Assert.Empty(untranslated);
    }

    [Fact]
    public void Every_command_argument_and_option_has_its_help_in_both_languages()
    {
        var english = English;
        var korean = Messages(Korean);
        var keys = HelpTexts.Keys(CommandLine.Build(new ConsoleIo(TextReader.Null, TextWriter.Null, TextWriter.Null))).ToList();

        Assert.Contains("Help_serve_option_urls", keys);
        Assert.Contains("Help_admin_block_option_reason", keys);
        var missing = keys.Where(key => !english.ContainsKey(key) || !korean.ContainsKey(key)).ToList();
        Assert.True(missing.Count == 0, "no message for: " + string.Join(", ", missing));
        Assert.Empty(english.Keys.Where(key => key.StartsWith(HelpTexts.Prefix, StringComparison.Ordinal)).Except(keys)
            .Except(["Help_option_help", "Help_DescriptionTitle", "Help_DefaultLabel", "Help_RequiredLabel"]));
    }

    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        var root = CommandLine.Build(new ConsoleIo(TextReader.Null, TextWriter.Null, TextWriter.Null));
        void Walk(Command command, string path)
        {
            data.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, (path + " " + sub.Name).Trim());
            }
        }

        Walk(root, "");
        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_commands_help_is_Korean(string path)
    {
        string[] command = path.Length == 0 ? [] : path.Split(' ');
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CommandLine.RunAsync(["--lang", "ko", .. command, "--help"], TextReader.Null, stdout, stderr);

        Assert.Equal(0, exit);
        var help = Spaces().Replace(stdout.ToString(), " ");
        var key = path.Length == 0 ? "Help_kakaoflow" : HelpTexts.Prefix + path.Replace('-', '_').Replace(' ', '_');
        Assert.StartsWith("설명: ", help, StringComparison.Ordinal);
        Assert.Contains(Spaces().Replace(CliMessages.ResourceManager.GetString(key, Korean)!, " "), help, StringComparison.Ordinal);
        Assert.Contains("사용법:", help, StringComparison.Ordinal);
        Assert.Contains("도움말과 사용법을 보여 줘요", help, StringComparison.Ordinal);
        Assert.DoesNotContain("[default:", help, StringComparison.Ordinal);
        Assert.DoesNotContain("(REQUIRED)", help, StringComparison.Ordinal);
        Assert.DoesNotContain(Spaces().Replace(English[key], " "), help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_is_English_with_lang_en()
    {
        using var stdout = new StringWriter();

        await CommandLine.RunAsync(["check", "--help", "--lang", "en"], TextReader.Null, stdout, TextWriter.Null);

        Assert.StartsWith("Description:", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("Compile flows and print one line per problem", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_resource_files_a_translator_edits_have_the_same_keys_in_the_same_order()
    {
        static List<string> Keys(string file) =>
            [.. System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "engine", "KakaoFlow.Cli", "Resources", file))
                .Root!.Elements("data").Select(data => (string)data.Attribute("name")!)];

        Assert.Equal(Keys("CliMessages.resx"), Keys("CliMessages.ko.resx"));
    }

    [Fact]
    public void A_missing_Korean_message_would_fall_back_to_English_so_the_test_above_matters()
    {
        // Sanity of the approach: the Korean set is the satellite's own, not the English fallback.
        var set = CliMessages.ResourceManager.GetResourceSet(Korean, createIfNotExists: true, tryParents: false);
        Assert.NotNull(set);
        Assert.Equal("봇 {0}개", set.GetString(nameof(CliMessages.Count_Bots_One)));
        Assert.IsType<ResourceManager>(CliMessages.ResourceManager);
    }
}
