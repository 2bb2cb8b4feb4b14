using KakaoFlow.Storage;

namespace KakaoFlow.Hosting;

/// <summary>
/// Whose turn it is for a user: this host's per-user lock (strict arrival order among this host's requests), then the
/// hosts' agreement (<see cref="IHostCoordination.EnterTurnAsync"/>: nothing when the store has this host alone, a
/// lease when several hosts share it). Both are held until the returned handle is disposed.
/// </summary>
internal sealed class UserTurns(IHostCoordination hosts)
{
    private long _started;

    /// <summary>This host's per-user locks (tests check their clean-up).</summary>
    public KeyedAsyncLock Locks { get; } = new();

    /// <summary>Turns that began entering since the host started.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired first; nothing is held.</exception>
    /// <exception cref="StoreUnavailableException">The shared store cannot be reached; nothing is held.</exception>
    public async Task<IAsyncDisposable> EnterAsync(string botId, string userKey, CancellationToken cancellation)
    {
        Interlocked.Increment(ref _started);
        var local = await Locks.AcquireAsync(string.Concat(botId, "\u001f", userKey), cancellation).ConfigureAwait(false);
        try
        {
            return new Held(local, await hosts.EnterTurnAsync(botId, userKey, cancellation).ConfigureAwait(false));
        }
        catch
        {
            local.Dispose();
            throw;
        }
    }

    private sealed class Held(IDisposable local, IAsyncDisposable shared) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await shared.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                local.Dispose();
            }
        }
    }
}
