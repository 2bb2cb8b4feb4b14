using System.Collections.Immutable;
using System.Text.Json;

namespace KakaoFlow.Runtime;

/// <summary>
/// One user's place in one bot: the step whose keyboard they see, their variables and when they last wrote.
/// Immutable: <see cref="FlowRuntime.Step"/> returns a new one.
/// </summary>
public sealed record Session
{
    public const string HomeStepId = "home";

    public static Session New { get; } = new();

    /// <summary>The step whose keyboard the user has in front of them; <c>home</c> for the Home keyboard.</summary>
    public string StepId { get; init; } = HomeStepId;

    public ImmutableDictionary<string, JsonElement> Vars { get; init; } = ImmutableDictionary<string, JsonElement>.Empty.WithComparers(StringComparer.Ordinal);

    public DateTimeOffset? LastMessageAt { get; init; }

    /// <summary>The compiled flow version that produced this position (hash of the sources).</summary>
    public string? FlowVersion { get; init; }

    /// <summary>A keyboard a hook offered with <c>buttons([...])</c>; null when the step's own keyboard applies.</summary>
    public DynamicChoice? Choice { get; init; }

    /// <summary>
    /// The page of quick replies an Open Builder user sees when the keyboard has more buttons than the platform
    /// shows at once (<see cref="Skill.SkillPages"/>); 0 is the first page, and always 0 on the auto-reply channel.
    /// </summary>
    public int Page { get; init; }

    public bool IsAtHome => StepId == HomeStepId && Choice is null;
}

/// <summary>
/// Buttons made by a hook at run time. Pressing one stores its label in <see cref="SaveAs"/> (when set)
/// and goes to <see cref="Next"/> (a step name or <c>home</c>); a label that is also a static button of
/// the step follows that button instead.
/// </summary>
public sealed record DynamicChoice(ImmutableArray<string> Labels, string? SaveAs, string? Next)
{
    public bool Equals(DynamicChoice? other) =>
        other is not null && Labels.SequenceEqual(other.Labels) && SaveAs == other.SaveAs && Next == other.Next;

    public override int GetHashCode() => HashCode.Combine(Labels.Length, SaveAs, Next);
}
