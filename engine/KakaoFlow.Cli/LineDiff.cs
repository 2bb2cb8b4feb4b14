using System.Globalization;

namespace KakaoFlow.Cli;

/// <summary>
/// A line diff (longest common subsequence) and its unified form, for snapshot mismatches. Transcripts are a few
/// hundred lines, so the quadratic table is small; the common head and tail are trimmed first.
/// </summary>
internal static class LineDiff
{
    /// <summary>Past this many table cells the changed middle is shown as removed-then-added instead.</summary>
    private const long MaxCells = 16_000_000;

    public enum Kind
    {
        Same,
        Removed,
        Added,
    }

    /// <summary>One line of the edit script. <see cref="OldIndex"/> and <see cref="NewIndex"/> are 0-based positions (of the next line, for an edit absent from that side).</summary>
    public readonly record struct Edit(Kind Kind, string Line, int OldIndex, int NewIndex);

    public static IReadOnlyList<Edit> Compute(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var head = 0;
        while (head < before.Count && head < after.Count && before[head] == after[head])
        {
            head++;
        }

        var tail = 0;
        while (tail < before.Count - head && tail < after.Count - head && before[before.Count - 1 - tail] == after[after.Count - 1 - tail])
        {
            tail++;
        }

        var edits = new List<Edit>(before.Count + after.Count);
        for (var i = 0; i < head; i++)
        {
            edits.Add(new Edit(Kind.Same, before[i], i, i));
        }

        Middle(before, after, head, before.Count - tail, head, after.Count - tail, edits);

        for (var k = tail; k > 0; k--)
        {
            edits.Add(new Edit(Kind.Same, before[before.Count - k], before.Count - k, after.Count - k));
        }

        return edits;
    }

    private static void Middle(IReadOnlyList<string> a, IReadOnlyList<string> b, int aStart, int aEnd, int bStart, int bEnd, List<Edit> edits)
    {
        var n = aEnd - aStart;
        var m = bEnd - bStart;
        if ((long)n * m > MaxCells || n == 0 || m == 0)
        {
            for (var i = aStart; i < aEnd; i++)
            {
                edits.Add(new Edit(Kind.Removed, a[i], i, bStart));
            }

            for (var j = bStart; j < bEnd; j++)
            {
                edits.Add(new Edit(Kind.Added, b[j], aEnd, j));
            }

            return;
        }

        // lcs[i, j]: the longest common subsequence of a[aStart+i..] and b[bStart+j..].
        var lcs = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                lcs[i, j] = a[aStart + i] == b[bStart + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        int x = 0, y = 0;
        while (x < n || y < m)
        {
            if (x < n && y < m && a[aStart + x] == b[bStart + y])
            {
                edits.Add(new Edit(Kind.Same, a[aStart + x], aStart + x, bStart + y));
                x++;
                y++;
            }
            else if (y >= m || (x < n && lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                edits.Add(new Edit(Kind.Removed, a[aStart + x], aStart + x, bStart + y));
                x++;
            }
            else
            {
                edits.Add(new Edit(Kind.Added, b[bStart + y], aStart + x, bStart + y));
                y++;
            }
        }
    }

    /// <summary>The unified diff (<c>---</c>/<c>+++</c> headers, <c>@@</c> hunks, <paramref name="context"/> lines around changes); empty when equal.</summary>
    public static IReadOnlyList<string> Unified(IReadOnlyList<Edit> edits, string beforeName, string afterName, int context = 3)
    {
        ArgumentNullException.ThrowIfNull(edits);
        var changed = new List<int>();
        for (var i = 0; i < edits.Count; i++)
        {
            if (edits[i].Kind != Kind.Same)
            {
                changed.Add(i);
            }
        }

        if (changed.Count == 0)
        {
            return [];
        }

        var lines = new List<string> { "--- " + beforeName, "+++ " + afterName };
        var c = 0;
        while (c < changed.Count)
        {
            var first = changed[c];
            var last = first;
            while (c + 1 < changed.Count && changed[c + 1] - last <= 2 * context + 1)
            {
                last = changed[++c];
            }

            c++;
            var from = Math.Max(0, first - context);
            var to = Math.Min(edits.Count - 1, last + context);

            var oldStart = edits[from].OldIndex;
            var newStart = edits[from].NewIndex;
            int oldCount = 0, newCount = 0;
            var body = new List<string>();
            for (var i = from; i <= to; i++)
            {
                var edit = edits[i];
                switch (edit.Kind)
                {
                    case Kind.Same:
                        oldCount++;
                        newCount++;
                        body.Add(" " + edit.Line);
                        break;
                    case Kind.Removed:
                        oldCount++;
                        body.Add("-" + edit.Line);
                        break;
                    default:
                        newCount++;
                        body.Add("+" + edit.Line);
                        break;
                }
            }

            lines.Add($"@@ -{Range(oldStart, oldCount)} +{Range(newStart, newCount)} @@");
            lines.AddRange(body);
        }

        return lines;
    }

    /// <summary>A hunk range: 1-based start and count; an empty range names the line before it (as diff and patch do).</summary>
    private static string Range(int start, int count) => count switch
    {
        0 => $"{start.ToString(CultureInfo.InvariantCulture)},0",
        1 => (start + 1).ToString(CultureInfo.InvariantCulture),
        _ => $"{(start + 1).ToString(CultureInfo.InvariantCulture)},{count.ToString(CultureInfo.InvariantCulture)}",
    };
}
