using System.Text;

namespace KakaoFlow.Diagnostics;

/// <summary>
/// Cuts text that came from outside — a hook's error message, a value quoted from a file — to a size fit for one
/// log line, a stored error detail or a diagnostic. A thrown error can be megabytes long; what is kept of it is not.
/// </summary>
public static class Excerpt
{
    /// <summary>What a hook error message, a logged issue or a stored error detail keeps: about 1 KB.</summary>
    public const int MessageBytes = 1024;

    /// <summary>At most <paramref name="maxBytes"/> bytes of UTF-8, ending with <c>…</c> when cut; never splits a character.</summary>
    public static string Cut(string text, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 4);
        if (text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        const string ellipsis = "…";
        var budget = maxBytes - Encoding.UTF8.GetByteCount(ellipsis);
        var bytes = 0;
        var end = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > budget)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return string.Concat(text.AsSpan(0, end), ellipsis);
    }
}
