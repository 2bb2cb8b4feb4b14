using System.Globalization;

namespace KakaoFlow.Runtime;

/// <summary>Lengths as users see them: one Hangul syllable, one emoji, one letter each count as one.</summary>
public static class TextLength
{
    public const int KakaoTextLimit = 1000;

    public static int Of(string text) => new StringInfo(text).LengthInTextElements;

    /// <summary>Cuts to <paramref name="limit"/> visible characters, the last being <c>…</c>.</summary>
    public static string Truncate(string text, int limit = KakaoTextLimit)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= limit ? text : info.SubstringByTextElements(0, limit - 1) + "…";
    }
}
