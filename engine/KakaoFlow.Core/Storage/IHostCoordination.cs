namespace KakaoFlow.Storage;

/// <summary>
/// What several hosts serving the same bots from one shared store must agree on beyond the data itself
/// (docs/scale-out.md): whose turn it is for a user, whether service states changed elsewhere, which host delivers a
/// notification and which host runs a periodic task. A store that only one process can open uses
/// <see cref="SingleHostCoordination"/>; a shared store registers its own with its <c>Add…Store</c> extension.
/// </summary>
public interface IHostCoordination
{
    /// <summary>True when other hosts may use the same store, so that this host must look for their changes.</summary>
    bool IsShared { get; }

    /// <summary>
    /// Waits until no other host runs a turn of this user and holds that until the returned handle is disposed; the
    /// caller holds its own per-user lock meanwhile (this orders hosts, not the requests of one host). A holder that
    /// dies lets go by itself after a time shorter than the reply bound.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired first.</exception>
    /// <exception cref="StoreUnavailableException">The shared store cannot be reached.</exception>
    ValueTask<IAsyncDisposable> EnterTurnAsync(string botId, string userKey, CancellationToken cancellation);

    /// <summary>
    /// A value that changes whenever any host changes a service state, and when the store's states are lost (a store
    /// that comes back empty); compared with the last one seen, never interpreted.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The shared store cannot be reached.</exception>
    string? ServiceStatesVersion();

    /// <summary>
    /// Takes the next delivery attempt of <paramref name="note"/> for this host: false when another host took it, or
    /// when the notification was delivered or attempted since <paramref name="note"/> was read. The claim needs no
    /// release: marking the attempt (delivered or failed) makes the next attempt a new one to claim; a host that dies
    /// before marking it lets another host make it after <paramref name="hold"/>.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The shared store cannot be reached.</exception>
    bool TryClaimDelivery(Notification note, TimeSpan hold);

    /// <summary>
    /// True for one host per <paramref name="period"/>: the one that should run <paramref name="task"/> now. Each host
    /// asks at its own ticks; the first to ask in a period gets it.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The shared store cannot be reached.</exception>
    bool TryClaimPeriod(string task, TimeSpan period);
}

/// <summary>One host alone on its store: every turn, delivery and period is its own; nothing changes elsewhere.</summary>
public sealed class SingleHostCoordination : IHostCoordination
{
    private static readonly IAsyncDisposable Entered = new Nothing();

    public static SingleHostCoordination Instance { get; } = new();

    public bool IsShared => false;

    public ValueTask<IAsyncDisposable> EnterTurnAsync(string botId, string userKey, CancellationToken cancellation) =>
        cancellation.IsCancellationRequested ? ValueTask.FromCanceled<IAsyncDisposable>(cancellation) : ValueTask.FromResult(Entered);

    public string? ServiceStatesVersion() => null;

    public bool TryClaimDelivery(Notification note, TimeSpan hold) => true;

    public bool TryClaimPeriod(string task, TimeSpan period) => true;

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
