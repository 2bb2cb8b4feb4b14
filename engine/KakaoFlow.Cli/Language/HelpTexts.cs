using System.CommandLine;
using System.CommandLine.Help;
using KakaoFlow.Cli.Resources;

namespace KakaoFlow.Cli.Language;

/// <summary>
/// The descriptions <c>--help</c> shows, from <see cref="CliMessages"/> in the current language. Each command, argument
/// and option has a key named by where it is: <c>Help_check</c>, <c>Help_check_argument_PATH</c>,
/// <c>Help_serve_option_urls</c>, <c>Help_admin_block_option_reason</c>; the root is <c>Help_kakaoflow</c>.
/// </summary>
internal static class HelpTexts
{
    public const string Prefix = "Help_";

    /// <summary>Sets every description under <paramref name="root"/> that has a message; the others keep the code's text.</summary>
    public static void Apply(Command root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Description = CliMessages.Help_option_help;
        }

        foreach (var (key, set) in Symbols(root))
        {
            if (CliMessages.ResourceManager.GetString(key, CliMessages.Culture) is { } text)
            {
                set(text);
            }
        }
    }

    /// <summary>The key of every command, argument and option under <paramref name="root"/> (tests check each has a message).</summary>
    public static IEnumerable<string> Keys(Command root) => Symbols(root).Select(symbol => symbol.Key);

    private static IEnumerable<(string Key, Action<string> Set)> Symbols(Command root) => Walk(root, Prefix + root.Name, isRoot: true);

    private static IEnumerable<(string Key, Action<string> Set)> Walk(Command command, string key, bool isRoot = false)
    {
        yield return (key, text => command.Description = text);
        foreach (var argument in command.Arguments)
        {
            yield return ($"{key}_argument_{Name(argument.Name)}", text => argument.Description = text);
        }

        // -h/--help describes itself in System.CommandLine's own (translated) words.
        foreach (var option in command.Options.Where(option => option is not HelpOption))
        {
            yield return ($"{key}_option_{Name(option.Name)}", text => option.Description = text);
        }

        foreach (var sub in command.Subcommands)
        {
            // A command's key does not repeat the root's name: Help_check, Help_admin_block.
            foreach (var symbol in Walk(sub, isRoot ? Prefix + Name(sub.Name) : $"{key}_{Name(sub.Name)}"))
            {
                yield return symbol;
            }
        }
    }

    /// <summary><c>--json-logs</c> → <c>json_logs</c>: a resource name is an identifier.</summary>
    private static string Name(string name) => name.TrimStart('-').Replace('-', '_');
}

/// <summary>
/// Where System.CommandLine writes help: the words its Korean translation lacks (the "Description:" heading, the
/// "[default:" and "(REQUIRED)" labels) are replaced by ours; everything else passes through.
/// </summary>
internal sealed class HelpWriter(TextWriter inner) : TextWriter
{
    private const string UntranslatedTitle = "Description:";
    private const string UntranslatedDefault = "[default:";
    private const string UntranslatedRequired = "(REQUIRED)";

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value) => inner.Write(value);

    public override void Write(string? value) => inner.Write(Translate(value));

    public override void WriteLine(string? value) => inner.WriteLine(Translate(value));

    public override void Flush() => inner.Flush();

    private static string? Translate(string? value) => value switch
    {
        UntranslatedTitle => CliMessages.Help_DescriptionTitle,
        null => null,
        _ => value
            .Replace(UntranslatedDefault, CliMessages.Help_DefaultLabel, StringComparison.Ordinal)
            .Replace(UntranslatedRequired, Required, StringComparison.Ordinal),
    };

    /// <summary>The label sits in the left column, which was measured with the English one: pad to its width.</summary>
    private static string Required =>
        CliMessages.Help_RequiredLabel.PadRight(CliMessages.Help_RequiredLabel.Length + Math.Max(0, UntranslatedRequired.Length - Admin.TextTable.Width(CliMessages.Help_RequiredLabel)));
}
