using System.Collections.Immutable;
using KakaoFlow.Compiling;
using KakaoFlow.Runtime;

namespace KakaoFlow.Introspection;

/// <summary>
/// A read-only picture of a compiled flow's state machine: every step (Home first, then in source order) and every
/// way from one step to another. Built from the <see cref="CompiledFlow"/> alone, as Stateless builds its
/// <c>StateMachineInfo</c> from the machine, never by reading the YAML again; the graph writers
/// (<see cref="MermaidGraph"/>, <see cref="DotGraph"/>) and the simulator consume it.
/// </summary>
public sealed class FlowInfo
{
    private readonly ImmutableDictionary<string, StepInfo> _byId;

    private FlowInfo(CompiledFlow flow, ImmutableArray<StepInfo> steps, ImmutableArray<TransitionInfo> transitions)
    {
        BotId = flow.BotId;
        Name = flow.Name;
        Version = flow.Version;
        Steps = steps;
        Transitions = transitions;
        _byId = steps.ToImmutableDictionary(step => step.Id, StringComparer.Ordinal);
    }

    public string BotId { get; }
    public string Name { get; }
    public string Version { get; }

    /// <summary>Home first, then every named and inline step in the order it is written.</summary>
    public ImmutableArray<StepInfo> Steps { get; }

    /// <summary>Per step in <see cref="Steps"/> order: its buttons in order, its <c>goto</c>, its <c>input.next</c>, then the steps its hook names.</summary>
    public ImmutableArray<TransitionInfo> Transitions { get; }

    /// <summary>The step with this id (<c>home</c>, a name, or an inline step's path), or null.</summary>
    public StepInfo? FindStep(string id) => _byId.GetValueOrDefault(id);

    public static FlowInfo Of(CompiledFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var inline = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in flow.Steps.Values.Append(flow.Home))
        {
            foreach (var (label, target) in step.Buttons ?? [])
            {
                if (target == $"{step.Id}/{label}")
                {
                    inline.Add(target);
                }
            }
        }

        var ordered = flow.Steps.Values
            .OrderBy(step => step.Location.Line)
            .ThenBy(step => step.Location.Column)
            .ThenBy(step => step.Id, StringComparer.Ordinal)
            .Prepend(flow.Home)
            .ToList();
        var steps = ordered
            .Select((step, index) => new StepInfo(
                step.Id,
                index == 0 ? "home" : $"s{index}",
                index == 0 ? StepKind.Home : inline.Contains(step.Id) ? StepKind.Inline : StepKind.Named,
                step.Location,
                step.Hook is not null,
                step.Input?.Type))
            .ToImmutableArray();

        var transitions = ImmutableArray.CreateBuilder<TransitionInfo>();
        foreach (var step in ordered)
        {
            foreach (var (label, target) in step.Buttons ?? [])
            {
                transitions.Add(new TransitionInfo(step.Id, target, TransitionKind.Button, label));
            }

            if (step.Goto is { } next)
            {
                transitions.Add(new TransitionInfo(step.Id, next, TransitionKind.Goto, null));
            }

            if (step.Input is { } input)
            {
                transitions.Add(new TransitionInfo(step.Id, input.Next, TransitionKind.InputNext, input.SaveAs));
            }

            var hookTargets = step.Hook is { } hook ? FlowAnalysis.LiteralTargets(hook.Source.Text) : [];
            foreach (var target in hookTargets.Distinct(StringComparer.Ordinal).Where(target => flow.FindStep(target) is not null))
            {
                transitions.Add(new TransitionInfo(step.Id, target, TransitionKind.Hook, null));
            }
        }

        return new FlowInfo(flow, steps, transitions.ToImmutable());
    }
}

public enum StepKind
{
    /// <summary>The Home keyboard (<c>home:</c>).</summary>
    Home,

    /// <summary>A step under <c>steps:</c>.</summary>
    Named,

    /// <summary>A step written under a button, named by its path (<c>home/메뉴 보기</c>).</summary>
    Inline,
}

/// <summary>One step of the machine.</summary>
/// <param name="Id">As sessions and <c>kakaoflow test</c> name it: <c>home</c>, a step name, or an inline step's path.</param>
/// <param name="NodeId">A short ASCII id for diagrams: <c>home</c>, then <c>s1</c>, <c>s2</c>… in source order.</param>
/// <param name="Kind">Home, named or inline.</param>
/// <param name="Location">Where the step is written.</param>
/// <param name="HasHook">The step runs a <c>js:</c> hook.</param>
/// <param name="Input">What the step asks the user to send (text or a photo), or null for a step without <c>input</c>.</param>
public sealed record StepInfo(string Id, string NodeId, StepKind Kind, Diagnostics.SourceSpan Location, bool HasHook, TurnKind? Input);

public enum TransitionKind
{
    /// <summary>Pressing a button; the label is the button's text.</summary>
    Button,

    /// <summary>A step's <c>goto:</c>.</summary>
    Goto,

    /// <summary>An accepted answer to an <c>input</c>; the label is the variable it is saved in.</summary>
    InputNext,

    /// <summary>A step named literally in the step's hook (<c>goto('…')</c>, or <c>next: '…'</c> of hook buttons): a way it may take.</summary>
    Hook,
}

/// <summary>One way from a step to another (<see cref="Label"/>: the button's text, or the variable an input saves).</summary>
public sealed record TransitionInfo(string From, string To, TransitionKind Kind, string? Label);
