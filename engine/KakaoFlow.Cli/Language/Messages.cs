using System.Globalization;

namespace KakaoFlow.Cli.Language;

/// <summary>Fills a message of <see cref="Resources.CliMessages"/> (numbers, paths and codes the same in every language).</summary>
internal static class Messages
{
    public static string Format(string message, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, message, args);

    /// <summary>The text <paramref name="text"/> makes in <paramref name="language"/>, whatever this thread speaks.</summary>
    public static string In(CultureInfo language, Func<string> text)
    {
        var speaking = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = language;
        try
        {
            return text();
        }
        finally
        {
            CultureInfo.CurrentUICulture = speaking;
        }
    }

    /// <summary>A count with its noun: <paramref name="one"/> for 1, else <paramref name="other"/> (Korean has one form).</summary>
    public static string Count(int count, string one, string other) => Format(count == 1 ? one : other, count);
}
