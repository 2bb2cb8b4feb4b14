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

    public static string Write(FlowInfo flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var text = new StringBuilder();
        text.Append("digraph ").Append(Quote(flow.BotId)).Append(" {\n");
        text.Append("    node [shape=box, fontname=").Append(Quote(FontName)).Append("];\n");
        text.Append("    edge [fontname=").Append(Quote(FontName)).Append("];\n");
        foreach (var step in flow.Steps)
        {
            var shape = step switch
            {
                { Kind: StepKind.Home } => ", shape=oval",
                { Input: not null } => ", shape=parallelogram",
                { Kind: StepKind.Inline } => ", style=rounded",
                _ => "",
            };
            text.Append("    ").Append(step.NodeId).Append(" [label=").Append(Quote(step.Id)).Append(shape).Append("];\n");
        }

        foreach (var transition in flow.Transitions)
        {
            var attributes = transition.Kind switch
            {
                TransitionKind.Button => $" [label={Quote(transition.Label!)}]",
                TransitionKind.InputNext => $" [label={Quote("input: " + transition.Label)}]",
                TransitionKind.Hook => $" [label={Quote("js")}, style=dashed]",
                _ => "",
            };
            text.Append("    ").Append(flow.FindStep(transition.From)!.NodeId).Append(" -> ")
                .Append(flow.FindStep(transition.To)!.NodeId).Append(attributes).Append(";\n");
        }

        return text.Append("}\n").ToString();
    }

    /// <summary>A DOT double-quoted string: <c>\</c> and <c>"</c> escaped, line breaks as <c>\n</c>, other control characters as spaces.</summary>
    internal static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                _ when char.IsControl(c) => " ",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
