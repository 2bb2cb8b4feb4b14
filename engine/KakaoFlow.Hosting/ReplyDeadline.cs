namespace KakaoFlow.Hosting;

/// <summary>
/// The bound on one answer. It is wall-clock and covers the wait behind the user's earlier messages too: the platform
/// times the whole request. Cancelling its token also tells the runtime (and its hooks) to stop.
/// </summary>
internal sealed class ReplyDeadline(TimeSpan bound) : IDisposable
{
    private readonly CancellationTokenSource _source = new(bound);
    private Task? _lateStep;

    public CancellationToken Token => _source.Token;

    public bool HasPassed => _source.IsCancellationRequested;

    /// <summary>A step still running past the bound keeps observing the (cancelled) token: dispose it only when that step ends.</summary>
    public void Outlive(Task lateStep) => _lateStep = lateStep;

    public void Dispose()
    {
        if (_lateStep is null)
        {
            _source.Dispose();
        }
        else
        {
            _ = _lateStep.ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Dispose(), _source, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }
}
