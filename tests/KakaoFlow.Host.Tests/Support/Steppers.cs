using KakaoFlow.Compiling;
using KakaoFlow.Runtime;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>Step functions for <see cref="TestHostOptions.Stepper"/>: the real runtime, with a test's hand on each turn.</summary>
internal static class Steppers
{
    /// <summary>The real runtime's step, after <paramref name="before"/> has seen the turn (to hold, slow down or fail it).</summary>
    public static Func<CompiledFlow, Session, Turn, DateTimeOffset, CancellationToken, StepResult> RealStepAfter(Action<Turn, CancellationToken> before)
    {
        var runtime = new FlowRuntime();
        return (flow, session, turn, now, cancellation) =>
        {
            before(turn, cancellation);
            return runtime.Step(flow, session, turn, now, cancellation);
        };
    }
}
