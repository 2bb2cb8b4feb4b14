using System.Text;

namespace KakaoFlow.Introspection;

/// <summary>
/// A <see cref="FlowInfo"/> as a Graphviz <c>digraph</c>, the same nodes and edges as <see cref="MermaidGraph"/>:
/// node ids are <see cref="StepInfo.NodeId"/>, every label a quoted DOT string (backslashes and quotes escaped).
/// </summary>
public static class DotGraph
{
    /// <summary>A font with Hangul, so <c>dot -Tsvg</c> draws Korean labels.</summary>
    public const string FontName = "Noto Sans CJK KR";

    private static readonly Format Instance = new();

    public static string Write(FlowInfo flow) => Instance.Write(flow);

    /// <summary>A DOT double-quoted string: <c>\</c> and <c>"</c> escaped, line breaks as <c>\n</c>, other control characters as spaces.</summary>
    internal static string Quote(string text) => Format.QuoteText(text);

    private sealed class Format : GraphFormat
    {
        public static string QuoteText(string text) => Quote(text, c => c switch
        {
            '\\' => "\\\\",
            '"' => "\\\"",
            '\n' => "\\n",
            _ when char.IsControl(c) => " ",
            _ => null,
        });

        protected override void Begin(StringBuilder text, FlowInfo flow)
        {
            text.Append("digraph ").Append(QuoteText(flow.BotId)).Append(" {\n");
            text.Append("    node [shape=box, fontname=").Append(QuoteText(FontName)).Append("];\n");
            text.Append("    edge [fontname=").Append(QuoteText(FontName)).Append("];\n");
        }

        protected override void Node(StringBuilder text, StepInfo step)
        {
            var shape = step switch
            {
                { Kind: StepKind.Home } => ", shape=oval",
                { Input: not null } => ", shape=parallelogram",
                { Kind: StepKind.Inline } => ", style=rounded",
                _ => "",
            };
            text.Append("    ").Append(step.NodeId).Append(" [label=").Append(QuoteText(step.Id)).Append(shape).Append("];\n");
        }

        protected override void Edge(StringBuilder text, string from, string to, TransitionInfo transition)
        {
            var attributes = new List<string>();
            if (EdgeLabel(transition) is { } label)
            {
                attributes.Add("label=" + QuoteText(label));
            }

            if (transition.Kind == TransitionKind.Hook)
            {
                attributes.Add("style=dashed");
            }

            text.Append("    ").Append(from).Append(" -> ").Append(to);
            if (attributes.Count > 0)
            {
                text.Append(" [").Append(string.Join(", ", attributes)).Append(']');
            }

            text.Append(";\n");
        }

        protected override void End(StringBuilder text) => text.Append("}\n");
    }
}
