using KakaoFlow.Compiling;
using KakaoFlow.Runtime;

namespace KakaoFlow.Hosting;

/// <summary>
/// What tests replace inside the host, kept out of the public options. Registered with its defaults by
/// <c>AddKakaoFlow</c>; a test registers its own instance after it.
/// </summary>
internal sealed class HostingSeams
{
    /// <summary>Replaces <see cref="FlowRuntime.Step"/> (e.g. a step that hangs or throws).</summary>
    public Func<CompiledFlow, Session, Turn, DateTimeOffset, CancellationToken, StepResult>? Stepper { get; init; }

    /// <summary>Replaces the garbage collector as <see cref="IdleMemoryTrim"/> sees and compacts it.</summary>
    public IManagedMemory? Memory { get; init; }

    /// <summary>False ignores file events, so only the poll finds changes (as when events are lost).</summary>
    public bool WatchFileEvents { get; init; } = true;
}
