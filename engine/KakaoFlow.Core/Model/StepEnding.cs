using KakaoFlow.Diagnostics;
using KakaoFlow.Yaml;
using KakaoFlow.Resources;

namespace KakaoFlow.Model;

/// <summary>
/// How a step goes on: by its buttons, its input or its goto, never two of them. Two are reported once, at the
/// second in the file (the one to remove). A <c>next:</c> or <c>goto:</c> written beside <c>input:</c> instead of
/// under it is reported as misplaced and read as the input's <c>next</c>, so no second error follows from it.
/// </summary>
internal static class StepEnding
{
    private static readonly string[] Ways = ["buttons", "input", "goto"];

    public static (InputNode? Input, Located<string>? Goto) Check(YamlMappingNode step, InputNode? input, Located<string>? target, DiagnosticBag diagnostics)
    {
        if (input is not null && (step.KeyNode("next") ?? (input.Next is null ? step.KeyNode("goto") : null)) is { } beside)
        {
            var value = step[beside.Value] as YamlScalarNode;
            var name = value is { IsNull: false } ? value.Value : "…";
            diagnostics.ReportWithHint(
                DiagnosticCodes.NextBesideInput,
                beside.Span,
                Text.Of(Messages.Hint_NextUnderInput, input.Save?.Value ?? "…", name),
                beside.Value,
                name);
            if (input.Next is null && value is { IsNull: false })
            {
                input = input with { Next = new Located<string>(value.Value, value.Span) };
            }

            if (beside.Value == "goto")
            {
                target = null;
            }
        }

        var written = step.Entries.Select(e => e.Key).Where(key => Ways.Contains(key.Value) && (key.Value != "goto" || target is not null)).ToList();
        if (written.Count > 1)
        {
            diagnostics.ReportWithHint(
                DiagnosticCodes.ConflictingNext,
                written[1].Span,
                Text.Of(Messages.Hint_OneEnding),
                written[1].Value,
                written[0].Value,
                written[0].Span.Line);
        }

        return (input, target);
    }
}
