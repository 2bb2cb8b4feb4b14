using System.Collections.Concurrent;

namespace KakaoFlow.Store;

/// <summary>
/// A few threads of the store's own that run work handed over by callers who must not block a thread-pool thread: the
/// requests' reads of sessions, which may wait for their turn inside LiteDB (<see cref="LiteDbFile.ReadAsync"/>). Blocked
/// on the pool, 32 such reads waiting behind a flush took every thread it had, and the replies behind them waited for
/// the pool to add threads, about one every half second; given more pool threads, the turn went to threads that were
/// not running and reads waited 25–30 ms for a turn of 0.1 ms. Waiting on a turn of the pool's own instead (a task
/// handed the turn) deadlocked when the pool's threads were all blocked on the same turn by synchronous calls (bench/README.md,
/// "eleventh session"). Work starts in the order it was handed over.
/// </summary>
internal sealed class ReadThreads : IDisposable
{
    private readonly BlockingCollection<Action> _work = new(new ConcurrentQueue<Action>());
    private readonly Thread[] _threads;

    public ReadThreads(int count, string name)
    {
        _threads = new Thread[count];
        for (var i = 0; i < count; i++)
        {
            _threads[i] = new Thread(RunWork) { IsBackground = true, Name = name };
            _threads[i].Start();
        }
    }

    /// <summary>Runs <paramref name="work"/> on one of the threads; it must not throw.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public void Post(Action work)
    {
        try
        {
            _work.Add(work);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(ReadThreads)); // added after Dispose
        }
    }

    /// <summary>Runs the work already handed over, then ends the threads.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        foreach (var thread in _threads)
        {
            if (thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }

        _work.Dispose();
    }

    private void RunWork()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
