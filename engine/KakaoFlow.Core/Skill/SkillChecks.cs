using KakaoFlow.Diagnostics;
using KakaoFlow.Model;
using KakaoFlow.Runtime;

namespace KakaoFlow.Skill;

/// <summary>
/// Warnings for what the Open Builder channel shows differently from the auto-reply API, so owners see it before
/// users do: a keyboard of more than 10 buttons is paged (KF031), a label over 14 characters is cut (KF032), a text
/// with a link too long for a card's description is sent apart from its link (KF035). All are valid flows; texts over
/// 1000 characters are already an error on both channels (KF012).
/// </summary>
internal sealed class SkillChecks(DiagnosticBag diagnostics)
{
    // A step reached through a YAML alias is the same text in the file: report each place once.
    private readonly HashSet<(string Code, SourceSpan Span)> _reported = [];

    public static void Run(FlowDocument document, DiagnosticBag diagnostics)
    {
        var checks = new SkillChecks(diagnostics);
        if (document.Home is { } home)
        {
            checks.Buttons(home);
        }

        foreach (var named in document.Steps)
        {
            checks.Step(named.Step);
        }
    }

    private void Step(StepNode step)
    {
        if (step.Link is not null && step.Say is { } say && IsKnownNow(say.Text))
        {
            var length = TextLength.Of(say.Text);
            if (length is > SkillLimits.MaxDescription and <= SkillLimits.MaxText)
            {
                Report(DiagnosticCodes.CardTextTooLong, say.Span, length);
            }
        }

        if (step.Link?.Label is { } label && IsKnownNow(label.Text))
        {
            Label(label.Text, label.Span);
        }

        if (step.Buttons is { } buttons)
        {
            Buttons(buttons);
        }
    }

    private void Buttons(ButtonList list)
    {
        if (list.Buttons.Length > SkillLimits.MaxQuickReplies)
        {
            var pages = SkillPages.CountOf(Keyboard.OfButtons(list.Buttons.Select(button => button.Label.Value)));
            Report(DiagnosticCodes.TooManyQuickReplies, list.Span, list.Buttons.Length, pages);
        }

        foreach (var button in list.Buttons)
        {
            Label(button.Label.Value, button.Label.Span);
            Step(button.Target);
        }
    }

    private void Label(string label, SourceSpan span)
    {
        var length = TextLength.Of(label);
        if (length > SkillLimits.MaxLabel)
        {
            Report(DiagnosticCodes.LabelTooLong, span, label, length, SkillLimits.Label(label));
        }
    }

    /// <summary>A text built from a template is only known when it is sent; it is rendered then like any other.</summary>
    private static bool IsKnownNow(string text) => !text.Contains("{{", StringComparison.Ordinal);

    private void Report(DiagnosticDescriptor descriptor, SourceSpan span, params object?[] args)
    {
        if (_reported.Add((descriptor.Code, span)))
        {
            diagnostics.Report(descriptor, span, args);
        }
    }
}
