namespace KakaoFlow.Hosting;

/// <summary>
/// One asynchronous mutex per key (bot + user_key), granted strictly in arrival order (FIFO). Entries exist
/// only while someone holds or waits for the key, so the table does not grow with the number of users.
/// </summary>
internal sealed class KeyedAsyncLock
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Number of keys currently held or waited for (tests check the clean-up).</summary>
    public int ActiveKeys
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Waits for the key. When <paramref name="cancellation"/> fires first the wait is abandoned (the waiter
    /// is skipped when its turn comes) and <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public async Task<IDisposable> AcquireAsync(string key, CancellationToken cancellation)
    {
        TaskCompletionSource waiter;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = new Entry();
                return new Releaser(this, key);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            entry.Waiters.Enqueue(waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Abandon the place in the queue. If the lock was handed over at the same moment, we own it:
            // pass it on instead of leaking it.
            if (!waiter.TrySetCanceled(cancellation))
            {
                Release(key);
            }

            throw;
        }

        return new Releaser(this, key);
    }

    private void Release(string key)
    {
        lock (_entries)
        {
            var entry = _entries[key];
            while (entry.Waiters.TryDequeue(out var next))
            {
                if (next.TrySetResult())
                {
                    return;
                }
            }

            _entries.Remove(key);
        }
    }

    private sealed class Entry
    {
        public Queue<TaskCompletionSource> Waiters { get; } = new();
    }

    private sealed class Releaser(KeyedAsyncLock owner, string key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(key);
            }
        }
    }
}
