using System.Text;

namespace KakaoFlow.Runtime;

/// <summary>How a button is matched: without the spaces around it, with Hangul composed (NFC), as users see it.</summary>
public static class ButtonLabel
{
    /// <summary>
    /// Typed text may come with stray spaces or decomposed Hangul (NFD, e.g. pasted on a Mac); two labels with the
    /// same form here are the same button to users.
    /// </summary>
    public static string AsUsersSeeIt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().Normalize(NormalizationForm.FormC);
    }
}
