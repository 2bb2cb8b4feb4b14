using KakaoFlow.Model;
using KakaoFlow.Templates;

namespace KakaoFlow.Tests.Samples;

/// <summary>
/// The rules a sample flow keeps, checked on the loader's model while the compiler is being written:
/// every goto/next target exists, every named step is reachable from home, every {{var}} is set somewhere,
/// labels differ on one keyboard, texts fit in 1000 characters, URLs are absolute https, photos have a size.
/// </summary>
internal static class SampleRules
{
    private const int MaxText = 1000;

    public static IReadOnlyList<string> Check(FlowDocument flow)
    {
        var problems = new List<string>();
        var steps = flow.Steps.ToDictionary(s => s.Name.Value, s => s.Step, StringComparer.Ordinal);
        var setVars = new HashSet<string>(StringComparer.Ordinal);
        var usedVars = new List<(string Name, string Where)>();

        if (flow.Name is null)
        {
            problems.Add("no name");
        }

        if (string.IsNullOrWhiteSpace(flow.MonitorPhone?.Value))
        {
            problems.Add("no monitor.phone");
        }

        if (flow.PrivacyConsent is not { Value: true })
        {
            problems.Add("privacy_consent is not true");
        }

        if (steps.ContainsKey("home"))
        {
            problems.Add("a step is named 'home'");
        }

        foreach (var (key, text) in flow.Messages)
        {
            CheckText(text, $"messages.{key}");
        }

        // Walk everything reachable from home; named steps are entered once.
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<(StepNode Step, string Where)>();
        if (flow.Home is null)
        {
            problems.Add("no home");
        }
        else
        {
            VisitButtons(flow.Home, "home");
        }

        while (pending.TryDequeue(out var next))
        {
            VisitStep(next.Step, next.Where);
        }

        foreach (var name in steps.Keys.Where(n => !reached.Contains(n)))
        {
            problems.Add($"step '{name}' is not reachable from home");
        }

        foreach (var (name, where) in usedVars.Where(v => !setVars.Contains(v.Name)))
        {
            problems.Add($"{where}: variable '{name}' is never set");
        }

        return problems;

        void VisitButtons(ButtonList list, string where)
        {
            if (list.Buttons.IsEmpty)
            {
                problems.Add($"{where}: empty buttons");
            }

            var labels = new HashSet<string>(StringComparer.Ordinal);
            foreach (var button in list.Buttons)
            {
                if (!labels.Add(button.Label.Value))
                {
                    problems.Add($"{where}: label '{button.Label.Value}' twice on one keyboard");
                }

                pending.Enqueue((button.Target, $"{where} > {button.Label.Value}"));
            }
        }

        void VisitStep(StepNode step, string where)
        {
            CheckText(step.Say, where + " say");
            foreach (var set in step.Set)
            {
                setVars.Add(set.Name.Value);
            }

            if (step.Photo is { } photo)
            {
                CheckUrl(photo.Url?.Text, where + " photo");
                if (photo.Width is null || photo.Height is null)
                {
                    problems.Add($"{where}: photo without width and height");
                }
            }

            if (step.Link is { } link)
            {
                CheckUrl(link.Url?.Text, where + " link");
                if (link.Label is null)
                {
                    problems.Add($"{where}: link without label");
                }

                CheckText(link.Label, where + " link label");
            }

            var nextParts = (step.Buttons is null ? 0 : 1) + (step.Input is null ? 0 : 1) + (step.Goto is null ? 0 : 1);
            if (nextParts > 1)
            {
                problems.Add($"{where}: more than one of buttons, input and goto");
            }

            if (step.Goto is { } target)
            {
                Enter(target.Value, where + " goto");
            }

            if (step.Input is { } input)
            {
                if (input.Save is null)
                {
                    problems.Add($"{where}: input without save");
                }
                else
                {
                    setVars.Add(input.Save.Value.Value);
                }

                if (input.Type is { } type && type.Value is not ("text" or "photo"))
                {
                    problems.Add($"{where}: input type '{type.Value}'");
                }

                CheckText(input.Retry, where + " retry");
                if (input.Next is null)
                {
                    problems.Add($"{where}: input without next");
                }
                else
                {
                    Enter(input.Next.Value.Value, where + " input.next");
                }
            }

            if (step.Buttons is { } buttons)
            {
                VisitButtons(buttons, where);
            }
        }

        void Enter(string target, string where)
        {
            if (target == "home")
            {
                return;
            }

            if (!steps.TryGetValue(target, out var step))
            {
                problems.Add($"{where}: unknown step '{target}'");
            }
            else if (reached.Add(target))
            {
                pending.Enqueue((step, $"step '{target}'"));
            }
        }

        void CheckText(SourceText? text, string where)
        {
            if (text is null)
            {
                return;
            }

            if (text.Text.Length > MaxText)
            {
                problems.Add($"{where}: {text.Text.Length} characters");
            }

            foreach (var (name, _) in Template.Parse(text.Text).Variables)
            {
                usedVars.Add((name.Split('.')[0], where));
            }
        }

        void CheckUrl(string? url, string where)
        {
            if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || url.Contains("{{", StringComparison.Ordinal))
            {
                problems.Add($"{where}: '{url}' is not an absolute https URL");
            }
        }
    }

    /// <summary>How many keyboards deep the button tree goes (home is depth 1), following goto and next.</summary>
    public static int ButtonDepth(FlowDocument flow)
    {
        var steps = flow.Steps.ToDictionary(s => s.Name.Value, s => s.Step, StringComparer.Ordinal);
        return flow.Home is null ? 0 : Depth(flow.Home, []);

        int Depth(ButtonList list, HashSet<string> onPath) =>
            1 + list.Buttons.Select(b => StepDepth(b.Target, onPath)).DefaultIfEmpty(0).Max();

        int StepDepth(StepNode step, HashSet<string> onPath)
        {
            if (step.Buttons is { } buttons)
            {
                return Depth(buttons, onPath);
            }

            var target = step.Goto?.Value ?? step.Input?.Next?.Value;
            if (target is null || target == "home" || !steps.TryGetValue(target, out var named) || !onPath.Add(target))
            {
                return 0;
            }

            var depth = StepDepth(named, onPath);
            onPath.Remove(target);
            return depth;
        }
    }
}
