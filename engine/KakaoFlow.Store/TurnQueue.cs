namespace KakaoFlow.Store;

/// <summary>
/// One holder at a time, the turn handed over in the order of arrival. Unlike <see cref="SemaphoreSlim.Wait(TimeSpan)"/>,
/// a thread that ends its turn and asks again at once (a flush going on to its next batch) queues behind those already
/// waiting instead of taking the turn back before they wake; and unlike blocking on <c>WaitAsync</c>, no waiter needs a
/// thread-pool thread to be told its turn came (a pool starved by waiters blocked here would never tell them).
/// </summary>
internal sealed class TurnQueue
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private bool _taken;

    /// <summary>A thread waits for one turn at a time: its waiter is kept for the next wait.</summary>
    [ThreadStatic]
    private static Waiter? t_waiter;

    /// <summary>How many threads wait for a turn (for tests: it is stale as soon as it is read).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Waits for the turn (<see cref="Timeout.InfiniteTimeSpan"/>: without limit); false when the time ran out first.</summary>
    public bool Take(TimeSpan timeout)
    {
        var waiter = t_waiter ??= new Waiter();
        lock (_lock)
        {
            if (!_taken)
            {
                _taken = true;
                return true;
            }

            waiter.Granted.Reset();
            _waiting.AddLast(waiter.Node);
        }

        if (waiter.Granted.Wait(timeout))
        {
            return true;
        }

        lock (_lock)
        {
            if (waiter.Node.List is null)
            {
                return true; // handed over between the time running out and this lock
            }

            _waiting.Remove(waiter.Node);
            return false;
        }
    }

    /// <summary>Ends the caller's turn: the first waiter has it now, or nobody.</summary>
    public void End()
    {
        lock (_lock)
        {
            if (_waiting.First is { } next)
            {
                _waiting.RemoveFirst();
                next.Value.Granted.Set(); // still taken: handed over
            }
            else
            {
                _taken = false;
            }
        }
    }

    private sealed class Waiter
    {
        public Waiter() => Node = new LinkedListNode<Waiter>(this);

        public LinkedListNode<Waiter> Node { get; }

        public ManualResetEventSlim Granted { get; } = new();
    }
}
