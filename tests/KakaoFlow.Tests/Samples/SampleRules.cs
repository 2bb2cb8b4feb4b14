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
