using System.Text;

namespace KakaoFlow.Introspection;

/// <summary>
/// A <see cref="FlowInfo"/> as a Mermaid <c>flowchart TD</c>: one node per step (Home a stadium, named steps boxes,
/// inline steps rounded, input steps parallelograms), one edge per transition (hook targets dashed). Node ids are
/// <see cref="StepInfo.NodeId"/>; every label is quoted and escaped with Mermaid's entity codes, so Korean, quotes,
/// brackets and pipes never break the syntax.
/// </summary>
public static class MermaidGraph
{
    public static string Write(FlowInfo flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var text = new StringBuilder("flowchart TD\n");
        foreach (var step in flow.Steps)
        {
            var label = Quote(step.Id);
            var node = step switch
            {
                { Kind: StepKind.Home } => $"([{label}])",
                { Input: not null } => $"[/{label}/]",
                { Kind: StepKind.Inline } => $"({label})",
                _ => $"[{label}]",
            };
            text.Append("    ").Append(step.NodeId).Append(node).Append('\n');
        }

        foreach (var transition in flow.Transitions)
        {
            var from = flow.FindStep(transition.From)!.NodeId;
            var to = flow.FindStep(transition.To)!.NodeId;
            var arrow = transition.Kind switch
            {
                TransitionKind.Button => $"-->|{Quote(transition.Label!)}|",
                TransitionKind.InputNext => $"-->|{Quote("input: " + transition.Label)}|",
                TransitionKind.Hook => $"-.->|{Quote("js")}|",
                _ => "-->",
            };
            text.Append("    ").Append(from).Append(' ').Append(arrow).Append(' ').Append(to).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A label in double quotes; characters Mermaid reads as syntax or markup become entity codes (<c>#quot;</c>).</summary>
    internal static string Quote(string label)
    {
        var text = new StringBuilder("\"");
        foreach (var c in label)
        {
            text.Append(c switch
            {
                '#' => "#35;",
                '"' => "#quot;",
                '&' => "#amp;",
                '<' => "#lt;",
                '>' => "#gt;",
                '|' => "#124;",
                '`' => "#96;",
                _ when char.IsControl(c) => " ",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }
}
