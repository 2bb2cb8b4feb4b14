namespace KakaoFlow.Store.Tests.Contracts;

/// <summary>
/// The base of every contract test class: one store per test, opened on first use. A store implementation joins a
/// contract with one subclass that says how to open it (<see cref="Open"/>) and, if it keeps data beyond the
/// instance, how to close it (<see cref="Close"/>).
/// </summary>
/// <typeparam name="TStore">What a test works on: a store interface, or a few stores sharing their data.</typeparam>
public abstract class StoreContract<TStore> : IDisposable
{
    private readonly Lock _gate = new();
    private TStore? _store;
    private bool _open;

    /// <summary>The test's store, opened at first use (once, even when many threads use it first at once).</summary>
    protected TStore Store
    {
        get
        {
            lock (_gate)
            {
                if (!_open)
                {
                    _store = Open();
                    _open = true;
                }

                return _store!;
            }
        }
    }

    /// <summary>Opens the test's store: empty the first time; after <see cref="Restart"/>, holding what was written before.</summary>
    protected abstract TStore Open();

    /// <summary>Releases what <see cref="Open"/> opened, writing everything it holds. Nothing for a store in memory.</summary>
    protected virtual void Close()
    {
    }

    /// <summary>
    /// Closes the store and opens it again, as a process restart would: what a durable store stores survives this. A
    /// store in memory is the same store afterwards.
    /// </summary>
    protected TStore Restart()
    {
        lock (_gate)
        {
            if (_open)
            {
                _open = false;
                Close();
            }
        }

        return Store;
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (disposing && _open)
            {
                _open = false;
                Close();
            }
        }
    }
}
