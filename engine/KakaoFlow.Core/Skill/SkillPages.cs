using System.Text;
using KakaoFlow.Runtime;
using KakaoFlow.Scenarios;

namespace KakaoFlow.Skill;

/// <summary>
/// Open Builder shows at most 10 quick replies, so a longer keyboard is shown a page at a time: the first page has
/// 9 buttons and <c>다음</c> (next), a middle page <c>이전</c> (back), 8 buttons and <c>다음</c>, the last page
/// <c>이전</c> and the rest. The pages depend on the keyboard alone; the page a user is on is
/// <see cref="Session.Page"/>.
/// </summary>
/// <remarks>
/// A page control never takes the place of a real button: when the keyboard has its own <c>다음</c> (or
/// <c>이전</c>), the control becomes <c>다음 ▶</c> (<c>◀ 이전</c>), with another arrow for each clash.
/// </remarks>
public static class SkillPages
{
    public const string Next = "다음";
    public const string Previous = "이전";

    /// <summary>How many pages <paramref name="keyboard"/> takes; 1 for a text keyboard.</summary>
    public static int CountOf(Keyboard keyboard) => Ranges(keyboard).Count;

    /// <summary>What one page shows: the buttons of that page with its controls. <paramref name="page"/> is kept within the pages.</summary>
    public static Keyboard View(Keyboard keyboard, int page)
    {
        ArgumentNullException.ThrowIfNull(keyboard);
        var ranges = Ranges(keyboard);
        if (ranges.Count == 1)
        {
            return keyboard;
        }

        page = Math.Clamp(page, 0, ranges.Count - 1);
        var (start, count) = ranges[page];
        var labels = new List<string>(SkillLimits.MaxQuickReplies);
        if (page > 0)
        {
            labels.Add(PreviousLabel(keyboard));
        }

        labels.AddRange(keyboard.Buttons.Skip(start).Take(count));
        if (page < ranges.Count - 1)
        {
            labels.Add(NextLabel(keyboard));
        }

        return Keyboard.OfButtons(labels);
    }

    /// <summary>
    /// The page that <paramref name="text"/> turns to from <paramref name="page"/> when it is a control shown there
    /// (<c>다음</c> or <c>이전</c>); null for anything else, which the flow then answers.
    /// </summary>
    public static int? Turn(Keyboard keyboard, int page, string text)
    {
        ArgumentNullException.ThrowIfNull(keyboard);
        ArgumentNullException.ThrowIfNull(text);
        var count = CountOf(keyboard);
        if (count == 1)
        {
            return null;
        }

        page = Math.Clamp(page, 0, count - 1);
        var said = Normalize(text);
        if (page < count - 1 && said == NextLabel(keyboard))
        {
            return page + 1;
        }

        if (page > 0 && said == PreviousLabel(keyboard))
        {
            return page - 1;
        }

        return null;
    }

    /// <summary>The text of the answer to a page control: the guide line the KakaoTalk client shows above buttons, and where the user is.</summary>
    public static string PageText(int page, int count) => $"{ReplyFormatter.ButtonGuide} ({page + 1}/{count})";

    public static string NextLabel(Keyboard keyboard) => Control(keyboard, Next, suffix: " ▶", prefix: "");

    public static string PreviousLabel(Keyboard keyboard) => Control(keyboard, Previous, suffix: "", prefix: "◀ ");

    /// <summary><paramref name="word"/>, or the word with more arrows until no button of the keyboard has that label.</summary>
    private static string Control(Keyboard keyboard, string word, string suffix, string prefix)
    {
        var label = word;
        var arrows = 0;
        while (keyboard.Buttons.Any(button => Normalize(button) == label))
        {
            arrows++;
            label = string.Concat(Enumerable.Repeat(prefix, arrows)) + word + string.Concat(Enumerable.Repeat(suffix, arrows));
        }

        return label;
    }

    /// <summary>(start, count) of each page's buttons.</summary>
    private static List<(int Start, int Count)> Ranges(Keyboard keyboard)
    {
        var total = keyboard.Buttons.Length;
        if (keyboard.Kind == KeyboardKind.Text || total <= SkillLimits.MaxQuickReplies)
        {
            return [(0, total)];
        }

        // The first page keeps one place for 다음, a middle page two (이전 and 다음), the last page one for 이전.
        var ranges = new List<(int Start, int Count)> { (0, SkillLimits.MaxQuickReplies - 1) };
        var start = SkillLimits.MaxQuickReplies - 1;
        while (total - start > SkillLimits.MaxQuickReplies - 1)
        {
            ranges.Add((start, SkillLimits.MaxQuickReplies - 2));
            start += SkillLimits.MaxQuickReplies - 2;
        }

        ranges.Add((start, total - start));
        return ranges;
    }

    /// <summary>As the runtime matches typed labels: surrounding spaces trimmed, Hangul composed (NFC).</summary>
    private static string Normalize(string text) => text.Trim().Normalize(NormalizationForm.FormC);
}
