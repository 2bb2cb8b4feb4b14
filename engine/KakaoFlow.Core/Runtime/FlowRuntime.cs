using KakaoFlow.Compiling;
using KakaoFlow.Scripting;

namespace KakaoFlow.Runtime;

/// <summary>
/// One step of a compiled flow's state machine. Pure apart from hooks: the same flow, session, turn
/// and time give the same reply and session.
/// </summary>
public sealed partial class FlowRuntime
{
    public FlowRuntime(HookServices? services = null) => Services = services ?? HookServices.None;

    public HookServices Services { get; }

    /// <summary>Answers one message. Never throws for anything a user or a flow can cause.</summary>
    public StepResult Step(CompiledFlow flow, Session session, Turn turn, DateTimeOffset now, CancellationToken cancellation = default) =>
        throw new NotImplementedException();
}
