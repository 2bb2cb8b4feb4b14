using System.Globalization;
using System.Text;

namespace KakaoFlow.Cli.Admin;

/// <summary>A plain terminal table; Hangul and other wide characters count two columns so columns line up.</summary>
internal static class TextTable
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, column) => all.Max(row => Width(Cell(row, column)))).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            for (var column = 0; column < headers.Count; column++)
            {
                var cell = Cell(row, column);
                text.Append(cell);
                if (column < headers.Count - 1)
                {
                    text.Append(' ', widths[column] - Width(cell) + 2);
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string Cell(IReadOnlyList<string> row, int column) =>
        column < row.Count ? row[column].Replace('\n', ' ') : "";

    public static int Width(string text)
    {
        var width = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var rune = Rune.GetRuneAt((string)elements.Current, 0).Value;
            width += rune is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3)
                or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6)
                or (>= 0x1F300 and <= 0x1FAFF)
                ? 2
                : 1;
        }

        return width;
    }
}
