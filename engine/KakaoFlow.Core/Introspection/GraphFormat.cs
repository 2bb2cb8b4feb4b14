using System.Text;

namespace KakaoFlow.Introspection;

/// <summary>
/// Walks a <see cref="FlowInfo"/> once, every step and then every transition in the model's order; a format only says
/// how one node or edge is written (as Stateless's <c>StateGraph</c> walks the machine for each <c>GraphStyleBase</c>).
/// </summary>
internal abstract class GraphFormat
{
    public string Write(FlowInfo flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var text = new StringBuilder();
        Begin(text, flow);
        foreach (var step in flow.Steps)
        {
            Node(text, step);
        }

        foreach (var transition in flow.Transitions)
        {
            Edge(text, flow.FindStep(transition.From)!.NodeId, flow.FindStep(transition.To)!.NodeId, transition);
        }

        End(text);
        return text.ToString();
    }

    protected abstract void Begin(StringBuilder text, FlowInfo flow);

    protected abstract void Node(StringBuilder text, StepInfo step);

    protected abstract void Edge(StringBuilder text, string from, string to, TransitionInfo transition);

    protected virtual void End(StringBuilder text)
    {
    }

    /// <summary>What an edge says: the button's text, <c>input: VAR</c>, <c>js</c> for a hook's target, nothing for a <c>goto</c>.</summary>
    protected static string? EdgeLabel(TransitionInfo transition) => transition.Kind switch
    {
        TransitionKind.Button => transition.Label,
        TransitionKind.InputNext => "input: " + transition.Label,
        TransitionKind.Hook => "js",
        _ => null,
    };

    /// <summary><paramref name="text"/> in double quotes, each character that <paramref name="escape"/> names replaced.</summary>
    protected static string Quote(string text, Func<char, string?> escape)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (escape(c) is { } replacement)
            {
                quoted.Append(replacement);
            }
            else
            {
                quoted.Append(c);
            }
        }

        return quoted.Append('"').ToString();
    }
}
