namespace KakaoFlow.Skill;

/// <summary>The limits of an Open Builder SkillResponse (docs/skill-api.md, "Limits"), counted as users see characters.</summary>
public static class SkillLimits
{
    /// <summary><c>template.outputs</c> holds 1 to 3 components.</summary>
    public const int MaxOutputs = 3;

    /// <summary>At most 10 quick replies in one response.</summary>
    public const int MaxQuickReplies = 10;

    /// <summary>A quick reply's or a card button's label: at most 14 characters.</summary>
    public const int MaxLabel = 14;

    /// <summary>A <c>textCard</c>'s description: at most 400 characters.</summary>
    public const int MaxDescription = 400;

    /// <summary>A <c>textCard</c> has at most 3 buttons.</summary>
    public const int MaxCardButtons = 3;

    /// <summary>A <c>simpleText</c>'s text: at most 1000 characters, the same limit as the auto-reply API.</summary>
    public const int MaxText = Runtime.TextLength.KakaoTextLimit;

    /// <summary>
    /// A label as Open Builder can show it: over 14 characters it is cut to 13 and <c>…</c>. The quick reply still
    /// sends the whole label, so the flow matches it.
    /// </summary>
    public static string Label(string label) => Runtime.TextLength.Truncate(label, MaxLabel);
}
