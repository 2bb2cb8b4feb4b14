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
    private static readonly Format Instance = new();

    public static string Write(FlowInfo flow) => Instance.Write(flow);

    /// <summary>A label in double quotes; characters Mermaid reads as syntax or markup become entity codes (<c>#quot;</c>).</summary>
    internal static string Quote(string label) => Format.QuoteLabel(label);

    private sealed class Format : GraphFormat
    {
        public static string QuoteLabel(string label) => Quote(label, c => c switch
        {
            '#' => "#35;",
            '"' => "#quot;",
            '&' => "#amp;",
            '<' => "#lt;",
            '>' => "#gt;",
            '|' => "#124;",
            '`' => "#96;",
            _ when char.IsControl(c) => " ",
            _ => null,
        });

        protected override void Begin(StringBuilder text, FlowInfo flow) => text.Append("flowchart TD\n");

        protected override void Node(StringBuilder text, StepInfo step)
        {
            var label = QuoteLabel(step.Id);
            var shape = step switch
            {
                { Kind: StepKind.Home } => $"([{label}])",
                { Input: not null } => $"[/{label}/]",
                { Kind: StepKind.Inline } => $"({label})",
                _ => $"[{label}]",
            };
            text.Append("    ").Append(step.NodeId).Append(shape).Append('\n');
        }

        protected override void Edge(StringBuilder text, string from, string to, TransitionInfo transition)
        {
            var arrow = transition.Kind == TransitionKind.Hook ? "-.->" : "-->";
            var label = EdgeLabel(transition) is { } written ? $"|{QuoteLabel(written)}|" : "";
            text.Append("    ").Append(from).Append(' ').Append(arrow).Append(label).Append(' ').Append(to).Append('\n');
        }
    }
}
