namespace KakaoFlow.Store;

/// <summary>
/// Wakes a background thread for work that any number of callers may ask for meanwhile: the asks made before the thread
/// takes the signal are one wake-up, and an ask made while it works wakes it once more when it is done. The thread
/// calls <see cref="Take"/> before the work, so such an ask is never lost, and the semaphore never counts above one.
/// </summary>
internal sealed class CoalescingSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);
    private int _asked;

    public void Ask()
    {
        if (Interlocked.Exchange(ref _asked, 1) == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Waits for an ask, at most <paramref name="timeout"/>; whether one came.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> is cancelled.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancel) => _signal.Wait(timeout, cancel);

    /// <summary>Before the work: an ask from here on wakes the thread again after it.</summary>
    public void Take() => Interlocked.Exchange(ref _asked, 0);

    public void Dispose() => _signal.Dispose();
}
