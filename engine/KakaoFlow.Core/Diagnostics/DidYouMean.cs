using System.Text;

namespace KakaoFlow.Diagnostics;

/// <summary>
/// Finds the one known word closest to a typo, if it is close enough. Letters swapped side by side count as one
/// mistake (<c>sya</c> → <c>say</c>), and Hangul is compared by its jamo, so <c>메뉴보가</c> is one vowel away from
/// <c>메뉴보기</c> rather than one whole syllable.
/// </summary>
public static class DidYouMean
{
    public static string? Suggest(string typed, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(known);
        var written = Comparable(typed);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(written, Comparable(candidate));
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        var allowed = Math.Max(1, Math.Min(3, written.Length / 3));
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>
    /// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two neighbours each
    /// count one.
    /// </summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var beforePrevious = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], beforePrevious[j - 2] + 1);
                }
            }

            (beforePrevious, previous, current) = (previous, current, beforePrevious);
        }

        return previous[b.Length];
    }

    /// <summary>
    /// Lower case, Hangul syllables split into jamo (compatibility jamo such as ㅂ typed alone become the same
    /// jamo), so a distance counts the keys a person pressed wrong.
    /// </summary>
    private static string Comparable(string word) => word.ToLowerInvariant().Normalize(NormalizationForm.FormKD);
}
