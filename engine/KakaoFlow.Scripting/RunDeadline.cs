using System.Diagnostics;
using Jint;
using Jint.Runtime;
using KakaoFlow.Hooks;

namespace KakaoFlow.Scripting;

/// <summary>
/// The wall-clock limit and the cancellation of one whole run. Jint's own timeout restarts on every <c>Execute</c>;
/// this one is fixed when the run starts and ignores resets, so shared scripts, the hook and reading the results back
/// all share it. An engine is reused by later runs, so <see cref="Start"/> sets both for each run.
/// </summary>
internal sealed class RunDeadline : Constraint
{
    private long _deadlineTimestamp = long.MaxValue;
    private CancellationToken _cancellation;

    /// <summary>
    /// A deadline only moves later by time spent outside the script (<see cref="Extend"/>) and a token never un-cancels:
    /// checking less often only delays noticing.
    /// </summary>
    public override bool IsAmortizable => true;

    public bool HasPassed => Stopwatch.GetTimestamp() >= _deadlineTimestamp;

    public void Start(TimeSpan timeout, CancellationToken cancellation)
    {
        _deadlineTimestamp = Stopwatch.GetTimestamp() + (long)(timeout.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond));
        _cancellation = cancellation;
    }

    /// <summary>Moves the deadline later by time the run spent waiting on the host, not running script (HookRun.Pay.cs).</summary>
    public void Extend(long stopwatchTicks) => _deadlineTimestamp += Math.Max(0, stopwatchTicks);

    public override void Check()
    {
        if (HasPassed)
        {
            throw new TimeoutException("the hook ran past its time limit");
        }

        if (_cancellation.IsCancellationRequested)
        {
            throw new ExecutionCanceledException();
        }
    }

    public override void Reset()
    {
        // Deliberately nothing: the deadline belongs to the run, not to one Execute call.
    }
}
