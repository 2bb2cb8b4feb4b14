using System.Collections.Immutable;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Model;
using KakaoFlow.Runtime;
using KakaoFlow.Templates;
using KakaoFlow.Resources;

namespace KakaoFlow.Compiling;

/// <summary>
/// Builds a <see cref="CompiledStep"/> for Home, every named step and every step written inline under a
/// button. Inline steps are named by their button path (<c>home/메뉴 보기/불고기 피자</c>), which stays
/// stable across edits elsewhere in the file, so sessions survive a reload.
/// </summary>
internal sealed class StepCompiler(FlowDocument document, IScriptProgramBuilder? program, DiagnosticBag diagnostics)
{
    private readonly Dictionary<string, CompiledStep> _steps = new(StringComparer.Ordinal);
    private bool _reportedNoScripts;

    /// <summary>Each compiled step with the node it came from, for the analysis pass.</summary>
    public List<(CompiledStep Step, StepNode Node)> Compiled { get; } = [];

    /// <summary>Every hook and check source, for the analysis pass (variables set, literal gotos).</summary>
    public List<(CompiledStep Step, SourceText Source)> Hooks { get; } = [];

    /// <summary>
    /// Steps reached only through a part an error dropped (a second way on, a duplicate button, an input missing
    /// its <c>save</c>): the analysis counts them as reached, so that the error is reported and not also its
    /// consequences.
    /// </summary>
    public List<string> BehindErrors { get; } = [];

    public (CompiledStep Home, ImmutableDictionary<string, CompiledStep> Steps) CompileAll()
    {
        var homeList = document.Home!;
        var home = new CompiledStep(Session.HomeStepId, homeList.Span);
        home.Buttons = CompileButtons(homeList, Session.HomeStepId);
        home.Keyboard = Keyboard.OfButtons(home.Buttons.Value.Select(b => b.Key));

        foreach (var named in document.Steps)
        {
            if (named.Name.Value == Session.HomeStepId)
            {
                diagnostics.Report(DiagnosticCodes.ReservedStepName, named.Name.Span, named.Name.Value);
                continue;
            }

            CompileStep(named.Name.Value, named.Step);
        }

        return (home, _steps.ToImmutableDictionary(StringComparer.Ordinal));
    }

    public static void CheckLength(SourceText text, DiagnosticBag diagnostics)
    {
        var length = TextLength.Of(text.Text);
        if (length > TextLength.KakaoTextLimit)
        {
            diagnostics.Report(DiagnosticCodes.TextTooLong, text.Span, length);
        }
    }

    private CompiledStep CompileStep(string id, StepNode node)
    {
        var step = new CompiledStep(id, node.Span);
        _steps[id] = step;
        Compiled.Add((step, node));

        step.Set = [.. node.Set.Select(s => new KeyValuePair<string, System.Text.Json.JsonElement>(s.Name.Value, s.Value))];
        if (node.Js is { } js)
        {
            step.Hook = PrepareScript(step, js, isCheck: false);
        }

        if (node.Say is { } say)
        {
            CheckLength(say, diagnostics);
            step.Say = Template.Parse(say.Text);
        }

        step.Photo = CompilePhoto(node.Photo);
        step.Link = CompileLink(node.Link);

        // A step keeps one way on; when it has more (KF015), the others are still compiled, so that their own
        // mistakes are reported and what only they lead to is not also reported as unreachable.
        if (node.Goto is { } target)
        {
            step.Goto = target.Value;
        }

        if (node.Buttons is { } buttons)
        {
            var compiled = CompileButtons(buttons, id);
            if (step.Goto is null)
            {
                step.Buttons = compiled;
                step.Keyboard = Keyboard.OfButtons(compiled.Select(b => b.Key));
            }
            else
            {
                BehindErrors.AddRange(compiled.Select(b => b.Value));
            }
        }

        if (node.Input is { } input)
        {
            var compiled = CompileInput(step, input);
            if (step.Goto is null && step.Buttons is null)
            {
                step.Input = compiled;
                step.Keyboard = Keyboard.Text;
            }

            if (step.Input is null && input.Next is { } next)
            {
                BehindErrors.Add(next.Value);
            }
        }

        return step;
    }

    private ImmutableArray<KeyValuePair<string, string>> CompileButtons(ButtonList list, string parentId)
    {
        if (list.Written == 0)
        {
            diagnostics.Report(DiagnosticCodes.EmptyButtons, list.Span);
        }

        // Keyed as the runtime matches a press: two labels users cannot tell apart are one button twice.
        var seen = new Dictionary<string, Located<string>>(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var button in list.Buttons)
        {
            var label = button.Label.Value;
            var seenAs = ButtonLabel.AsUsersSeeIt(label);
            if (seen.TryGetValue(seenAs, out var first))
            {
                var hint = first.Value == label ? null : Text.Of(Messages.Hint_LooksTheSame, first.Value);
                diagnostics.ReportWithHint(DiagnosticCodes.DuplicateLabel, button.Label.Span, hint, label, first.Span.Line);

                // Still compiled under a name of its own: its mistakes are reported, and what only it leads to or
                // sets is not also warned about while this error stands.
                BehindErrors.Add(CompileStep($"{parentId}/{label} (line {button.Label.Span.Line})", button.Target).Id);
                continue;
            }

            if (label.Trim().Length != label.Length)
            {
                diagnostics.ReportWithHint(DiagnosticCodes.LabelWithSpaces, button.Label.Span, Text.Of(Messages.Hint_LabelSpaces, label.Trim()), label);
            }

            seen.Add(seenAs, button.Label);
            var target = CompileStep($"{parentId}/{label}", button.Target);
            result.Add(new(label, target.Id));
        }

        return result.ToImmutable();
    }

    private CompiledInput? CompileInput(CompiledStep step, InputNode input)
    {
        if (input.Save is null)
        {
            diagnostics.Report(DiagnosticCodes.MissingKey, input.Span, "input", "save");
        }

        if (input.Next is null)
        {
            diagnostics.ReportWithHint(DiagnosticCodes.MissingKey, input.Span, Text.Of(Messages.Hint_InputNext), "input", "next");
        }

        var type = TurnKind.Text;
        if (input.Type is { } typeText)
        {
            switch (typeText.Value)
            {
                case "text":
                    break;
                case "photo":
                    type = TurnKind.Photo;
                    break;
                default:
                    diagnostics.Report(DiagnosticCodes.InvalidInputType, typeText.Span, typeText.Value);
                    break;
            }
        }

        var check = input.Check is { } expression ? PrepareScript(step, expression, isCheck: true) : null;
        if (input.Retry is { } retry)
        {
            CheckLength(retry, diagnostics);
        }

        return input.Save is null || input.Next is null
            ? null
            : new CompiledInput(input.Save.Value.Value, type, check, input.Retry is { } r ? Template.Parse(r.Text) : null, input.Next.Value.Value);
    }

    private CompiledPhoto? CompilePhoto(PhotoNode? photo)
    {
        if (photo is null)
        {
            return null;
        }

        if (photo.Url is null)
        {
            diagnostics.Report(DiagnosticCodes.MissingKey, photo.Span, "photo", "url");
        }
        else
        {
            CheckUrl(photo.Url);
        }

        if (photo.Width is null)
        {
            diagnostics.Report(DiagnosticCodes.PhotoWithoutSize, photo.Span, "width");
        }

        if (photo.Height is null)
        {
            diagnostics.Report(DiagnosticCodes.PhotoWithoutSize, photo.Span, "height");
        }

        return photo is { Url: { } url, Width: { } width, Height: { } height }
            ? new CompiledPhoto(Template.Parse(url.Text), width.Value, height.Value)
            : null;
    }

    private CompiledLink? CompileLink(LinkNode? link)
    {
        if (link is null)
        {
            return null;
        }

        if (link.Label is null)
        {
            diagnostics.Report(DiagnosticCodes.MissingKey, link.Span, "link", "label");
        }

        if (link.Url is null)
        {
            diagnostics.Report(DiagnosticCodes.MissingKey, link.Span, "link", "url");
        }
        else
        {
            CheckUrl(link.Url);
        }

        return link is { Label: { } label, Url: { } url } ? new CompiledLink(Template.Parse(label.Text), Template.Parse(url.Text)) : null;
    }

    /// <summary>Literal URLs must be absolute http(s); a URL built from a template is checked when it is sent.</summary>
    private void CheckUrl(SourceText url)
    {
        if (url.Text.Contains("{{", StringComparison.Ordinal))
        {
            return;
        }

        if (!Uri.TryCreate(url.Text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            diagnostics.Report(DiagnosticCodes.InvalidUrl, url.Span, url.Text);
        }
    }

    private PreparedScript? PrepareScript(CompiledStep step, SourceText source, bool isCheck)
    {
        Hooks.Add((step, source));
        if (program is null)
        {
            if (!_reportedNoScripts)
            {
                diagnostics.Report(DiagnosticCodes.ScriptsUnavailable, source.Span);
                _reportedNoScripts = true;
            }

            return null;
        }

        return isCheck ? program.AddCheck(source, diagnostics) : program.AddHook(source, diagnostics);
    }
}
