using System.Diagnostics;
using Jint;
using KakaoFlow.Hooks;

namespace KakaoFlow.Scripting;

/// <summary>
/// The wall-clock limit of one whole run. Jint's own timeout restarts on every <c>Execute</c>; this one is fixed
/// when the run starts and ignores resets, so shared scripts, the hook and reading the results back all share it.
/// </summary>
internal sealed class RunDeadline(long deadlineTimestamp) : Constraint
{
    public long DeadlineTimestamp { get; private set; } = deadlineTimestamp;

    /// <summary>Moves the deadline later by time the run spent waiting on the host, not running script (HookRun.Pay.cs).</summary>
    public void Extend(long stopwatchTicks) => DeadlineTimestamp += Math.Max(0, stopwatchTicks);

    public static RunDeadline After(TimeSpan timeout) =>
        new(Stopwatch.GetTimestamp() + (long)(timeout.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond)));

    public bool HasPassed => Stopwatch.GetTimestamp() >= DeadlineTimestamp;

    /// <summary>A deadline only gets nearer: checking it less often only delays noticing.</summary>
    public override bool IsAmortizable => true;

    public override void Check()
    {
        if (HasPassed)
        {
            throw new TimeoutException("the hook ran past its time limit");
        }
    }

    public override void Reset()
    {
        // Deliberately nothing: the deadline belongs to the run, not to one Execute call.
    }
}
