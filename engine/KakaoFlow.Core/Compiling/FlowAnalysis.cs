using System.Collections.Immutable;
using System.Text.RegularExpressions;
using KakaoFlow.Diagnostics;
using KakaoFlow.Model;
using KakaoFlow.Runtime;
using KakaoFlow.Templates;
using KakaoFlow.Resources;

namespace KakaoFlow.Compiling;

/// <summary>
/// Whole-flow checks once every step is compiled: goto targets, goto loops, steps nobody reaches and
/// variables nobody sets. Hooks count too: a literal <c>goto('name')</c> reaches a step and a literal
/// <c>vars.name = …</c> sets a variable. A step or variable that only an error hides (a misspelled <c>gotoo:</c>, a
/// goto target with a typo, a duplicate button) is not warned about while that error stands.
/// </summary>
internal sealed partial class FlowAnalysis(
    FlowDocument document,
    CompiledStep home,
    IReadOnlyList<(CompiledStep Step, StepNode Node)> steps,
    IReadOnlyList<(CompiledStep Step, SourceText Source)> hooks,
    IReadOnlyList<string> behindErrors,
    ImmutableArray<SourceText> sharedScripts,
    DiagnosticBag diagnostics)
{
    /// <summary>Steps a typo'd goto target most likely meant (its did-you-mean).</summary>
    private readonly List<string> _meant = [];

    [GeneratedRegex(@"\bgoto\s*\(\s*(?:'([^']+)'|""([^""]+)"")")]
    private static partial Regex LiteralGoto();

    [GeneratedRegex(@"\bnext\s*:\s*(?:'([^']+)'|""([^""]+)"")")]
    private static partial Regex LiteralNext();

    [GeneratedRegex(@"\bvars\s*(?:\.\s*([\p{L}_$][\p{L}\p{N}_$]*)|\[\s*(?:'([^']+)'|""([^""]+)"")\s*\])\s*(?:=(?!=)|\+=|-=|\+\+|--)")]
    private static partial Regex LiteralVarWrite();

    [GeneratedRegex(@"\bsave\s*:\s*(?:'([^']+)'|""([^""]+)"")")]
    private static partial Regex LiteralSave();

    /// <summary>A placeholder followed by a particle written both ways: <c>{{x}}을(를)</c>, <c>{{x}}(으)로</c>, <c>{{x}}이(가)</c>…</summary>
    [GeneratedRegex(@"\{\{\s*([^{}|]+?)\s*\}\}(을\(를\)|를\(을\)|\(을\)를|\(를\)을|이\(가\)|가\(이\)|\(이\)가|은\(는\)|는\(은\)|\(은\)는|과\(와\)|와\(과\)|\(으\)로|\(이\)나|\(이\)랑|\(이\)에요|아\(야\)|\(아\)야)")]
    private static partial Regex HedgedParticle();

    private readonly HashSet<string> _named = [.. document.Steps.Select(s => s.Name.Value).Where(n => n != Session.HomeStepId)];

    public void Run()
    {
        CheckTargets();
        CheckGotoCycles();
        CheckReachability();
        CheckVariables();
        CheckParticles();
        CheckTexts();
    }

    private bool IsTarget(string name) => name == Session.HomeStepId || _named.Contains(name);

    private void CheckTargets()
    {
        foreach (var (_, node) in steps)
        {
            if (node.Goto is { } target && !IsTarget(target.Value))
            {
                ReportUnknownTarget(target);
            }

            if (node.Input?.Next is { } next && !IsTarget(next.Value))
            {
                ReportUnknownTarget(next);
            }
        }
    }

    private void ReportUnknownTarget(Located<string> target)
    {
        var suggestion = DidYouMean.Suggest(target.Value, _named.Append(Session.HomeStepId));
        if (suggestion is not null)
        {
            _meant.Add(suggestion);
        }

        diagnostics.ReportWithHint(
            DiagnosticCodes.UnknownGotoTarget,
            target.Span,
            suggestion is null ? (_named.Count == 0 ? Text.Of(Messages.Hint_NoNamedSteps) : Text.Of(Messages.Hint_Steps, string.Join(", ", _named.Order(StringComparer.Ordinal)))) : Text.Of(Messages.Hint_DidYouMean, suggestion),
            target.Value);
    }

    /// <summary>A <c>goto:</c> chain that comes back to itself would never finish a reply.</summary>
    private void CheckGotoCycles()
    {
        var gotoOf = steps.Where(s => s.Step.Goto is not null && IsTarget(s.Step.Goto))
            .ToDictionary(s => s.Step.Id, s => (Target: s.Step.Goto!, Span: s.Node.Goto!.Value.Span), StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in gotoOf.Keys.Order(StringComparer.Ordinal))
        {
            var path = new List<string>();
            var onPath = new HashSet<string>(StringComparer.Ordinal);
            var current = start;
            while (!done.Contains(current) && gotoOf.TryGetValue(current, out var edge))
            {
                path.Add(current);
                onPath.Add(current);
                if (onPath.Contains(edge.Target))
                {
                    var loop = path.Skip(path.IndexOf(edge.Target)).Append(edge.Target);
                    diagnostics.ReportWithHint(DiagnosticCodes.GotoCycle, edge.Span, Text.Of(Messages.Hint_GotoCycle), string.Join(" → ", loop));
                    break;
                }

                current = edge.Target;
            }

            done.UnionWith(path);
        }
    }

    private void CheckReachability()
    {
        var byId = steps.ToDictionary(s => s.Step.Id, s => s.Step, StringComparer.Ordinal);
        var hookTargets = hooks.ToLookup(h => h.Step.Id, h => h.Source.Text, StringComparer.Ordinal);
        var fromAnywhere = sharedScripts.SelectMany(s => LiteralTargets(s.Text)).ToHashSet(StringComparer.Ordinal);

        // Besides Home and the shared scripts' literal targets, what errors hide counts as reached: the steps behind
        // a dropped part, the step a typo'd target meant, and any name written in a part the reader skipped.
        var hidden = behindErrors.Concat(_meant).Concat(document.LeftOut).Concat(document.LeftOut.SelectMany(LiteralTargets));
        var reached = new HashSet<string>(StringComparer.Ordinal) { Session.HomeStepId };
        var queue = new Queue<string>([Session.HomeStepId]);
        foreach (var name in fromAnywhere.Concat(hidden).Where(reached.Add))
        {
            queue.Enqueue(name);
        }

        while (queue.TryDequeue(out var id))
        {
            var step = id == Session.HomeStepId ? home : byId.GetValueOrDefault(id);
            if (step is null)
            {
                continue;
            }

            var next = new List<string>();
            if (step.Buttons is { } buttons)
            {
                next.AddRange(buttons.Select(b => b.Value));
            }

            if (step.Goto is { } target)
            {
                next.Add(target);
            }

            if (step.Input is { } input)
            {
                next.Add(input.Next);
            }

            next.AddRange(hookTargets[id].SelectMany(LiteralTargets));
            foreach (var n in next.Where(reached.Add))
            {
                queue.Enqueue(n);
            }
        }

        foreach (var named in document.Steps)
        {
            if (named.Name.Value != Session.HomeStepId && !reached.Contains(named.Name.Value))
            {
                diagnostics.Report(DiagnosticCodes.UnreachableStep, named.Name.Span, named.Name.Value);
            }
        }
    }

    /// <summary>The steps a script names literally in <c>goto('…')</c> or <c>next: '…'</c> (also read by the graph export).</summary>
    internal static IEnumerable<string> LiteralTargets(string script) =>
        LiteralGoto().Matches(script).Concat(LiteralNext().Matches(script)).Select(FirstGroup);

    private void CheckVariables()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, node) in steps)
        {
            set.UnionWith(node.Set.Select(s => s.Name.Value));
            if (node.Input?.Save is { } save)
            {
                set.Add(save.Value);
            }
        }

        foreach (var script in hooks.Select(h => h.Source.Text).Concat(sharedScripts.Select(s => s.Text)).Concat(document.LeftOut))
        {
            set.UnionWith(LiteralVarWrite().Matches(script).Select(FirstGroup));
            set.UnionWith(LiteralSave().Matches(script).Select(FirstGroup));
        }

        // A name written in a part the reader skipped because of an error (inptu: { save: address }) may be set there.
        set.UnionWith(document.LeftOut);

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in TemplateTexts())
        {
            foreach (var (name, offset) in Template.Parse(text.Text).Variables)
            {
                var root = name.Split('.')[0];
                if (!set.Contains(root) && reported.Add(root))
                {
                    diagnostics.ReportWithHint(DiagnosticCodes.VariableNeverSet, text.SpanAt(offset), Text.Of(Messages.Hint_SetVariable), root);
                }
            }
        }
    }

    private void CheckParticles()
    {
        foreach (var text in TemplateTexts())
        {
            foreach (var (particle, offset) in Template.Parse(text.Text).Particles)
            {
                if (!KoreanParticles.IsKnown(particle))
                {
                    diagnostics.Report(DiagnosticCodes.UnknownParticle, text.SpanAt(offset), particle);
                }
            }

            foreach (Match hedge in HedgedParticle().Matches(text.Text))
            {
                var written = hedge.Groups[2].Value;
                var particle = written.Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal);
                var first = KoreanParticles.Known.Where(particle.StartsWith).OrderByDescending(known => known.Length).First();
                diagnostics.Report(DiagnosticCodes.HedgedParticle, text.SpanAt(hedge.Index), hedge.Groups[1].Value, written, first);
            }
        }
    }

    private void CheckTexts()
    {
        // A step written once and used twice through a YAML alias is one text in the file: warn once.
        foreach (var text in TemplateTexts().Distinct())
        {
            TextMistakes.CheckTemplate(text, diagnostics);
        }

        foreach (var (_, node) in steps)
        {
            if (node.Input?.Check is { } check)
            {
                TextMistakes.CheckInputCheck(check, diagnostics);
            }
        }
    }

    private IEnumerable<SourceText> TemplateTexts()
    {
        foreach (var (_, node) in steps)
        {
            if (node.Say is { } say)
            {
                yield return say;
            }

            if (node.Photo?.Url is { } photo)
            {
                yield return photo;
            }

            if (node.Link is { } link)
            {
                if (link.Label is { } label)
                {
                    yield return label;
                }

                if (link.Url is { } url)
                {
                    yield return url;
                }
            }

            if (node.Input?.Retry is { } retry)
            {
                yield return retry;
            }
        }
    }

    private static string FirstGroup(Match match) =>
        match.Groups.Cast<Group>().Skip(1).First(g => g.Success).Value;
}
