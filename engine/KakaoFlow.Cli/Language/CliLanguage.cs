using System.Globalization;

namespace KakaoFlow.Cli.Language;

/// <summary>
/// The language of every message and help text: <c>--lang ko|en</c> on the command line, else
/// <c>$KAKAOFLOW_LANG</c>, else the locale (<c>LC_ALL</c>, then <c>LANG</c>): Korean when it names Korean
/// (<c>ko</c>, <c>ko_KR.UTF-8</c>, <c>ko-KR</c>…), English otherwise (<c>C</c>, <c>POSIX</c>, <c>en_US</c>, unset).
/// </summary>
public static class CliLanguage
{
    public const string Option = "--lang";
    public const string Variable = "KAKAOFLOW_LANG";
    public const string Korean = "ko";
    public const string English = "en";

    public static CultureInfo KoreanCulture { get; } = CultureInfo.GetCultureInfo(Korean);

    public static CultureInfo EnglishCulture { get; } = CultureInfo.GetCultureInfo(English);

    /// <summary>The language chosen by the arguments and the environment; a pure function of both.</summary>
    /// <param name="args">The command line; only <c>--lang VALUE</c>, <c>--lang=VALUE</c> or <c>--lang:VALUE</c> is read.</param>
    /// <param name="environment">Reads a variable (null when unset): the process environment, or a test's table.</param>
    /// <remarks>
    /// A <c>--lang</c> value other than ko or en is left to the parser, which reports it as a usage error (in the
    /// language the environment chooses); an unusable <c>$KAKAOFLOW_LANG</c> is <see cref="LanguageChoice.BadVariable"/>.
    /// </remarks>
    public static LanguageChoice Resolve(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        if (FromArguments(args) is { } given && Parse(given) is { } chosen)
        {
            return new LanguageChoice(chosen, null);
        }

        if (Value(environment, Variable) is { } variable)
        {
            return LanguageOfLocale(variable) is { } named
                ? new LanguageChoice(named, null)
                : new LanguageChoice(FromLocale(environment), variable);
        }

        return new LanguageChoice(FromLocale(environment), null);
    }

    /// <summary><c>ko</c> or <c>en</c> (any case) → its culture; anything else → null.</summary>
    public static CultureInfo? Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim().ToLowerInvariant() switch
        {
            Korean => KoreanCulture,
            English => EnglishCulture,
            _ => null,
        };
    }

    /// <summary>The POSIX order: <c>LC_ALL</c> when set (and not empty), else <c>LANG</c>; Korean only when it names Korean.</summary>
    private static CultureInfo FromLocale(Func<string, string?> environment)
    {
        var locale = Value(environment, "LC_ALL") ?? Value(environment, "LANG");
        return locale is not null && IsKorean(locale) ? KoreanCulture : EnglishCulture;
    }

    /// <summary>A locale's language is the part before <c>_</c>, <c>-</c>, <c>.</c> or <c>@</c>: <c>ko_KR.UTF-8</c> → <c>ko</c>.</summary>
    private static string LanguagePart(string locale)
    {
        var end = locale.IndexOfAny(['_', '-', '.', '@']);
        return (end < 0 ? locale : locale[..end]).ToLowerInvariant();
    }

    private static bool IsKorean(string locale) => LanguagePart(locale) == Korean;

    /// <summary><c>$KAKAOFLOW_LANG</c> may be <c>ko</c>, <c>en</c> or a locale of either (<c>ko_KR.UTF-8</c>).</summary>
    private static CultureInfo? LanguageOfLocale(string value) => Parse(LanguagePart(value));

    private static string? FromArguments(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                break;
            }

            if (arg == Option)
            {
                return i + 1 < args.Count ? args[i + 1] : null;
            }

            if (arg.Length > Option.Length && arg.StartsWith(Option, StringComparison.Ordinal) && arg[Option.Length] is '=' or ':')
            {
                return arg[(Option.Length + 1)..];
            }
        }

        return null;
    }

    private static string? Value(Func<string, string?> environment, string name) =>
        environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>The language to speak, and the value of <c>$KAKAOFLOW_LANG</c> when it named no language we have.</summary>
public sealed record LanguageChoice(CultureInfo Culture, string? BadVariable);
