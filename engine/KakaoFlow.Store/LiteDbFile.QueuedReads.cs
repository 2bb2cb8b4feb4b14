namespace KakaoFlow.Store;

/// <summary>
/// The reads <see cref="LiteDbFile.ReadAsync"/> could not run at once: queued in the order they came, and run many to a
/// turn by whichever of the file's <see cref="ReadThreads"/> gets the turn first. One turn each, the reads waiting behind
/// a flush went in four at a time (one per thread) at each of its pauses, and the threads' hand-overs between them added
/// up: right after a rush of 1,000,000 new users, requests' reads waited 163–171 ms at the 99th percentile, 31–40 ms
/// with the queue (bench/README.md, "twelfth session").
/// </summary>
internal sealed partial class LiteDbFile
{
    /// <summary>
    /// The most queued reads one turn runs: a flush waiting for its next chunk waits for at most this many reads for each
    /// read thread ahead of it in the turn's queue (four).
    /// </summary>
    internal const int ReadsPerTurn = 32;

    /// <summary>The reads waiting for a turn, oldest first; under its own lock.</summary>
    private readonly Queue<QueuedRead> _queuedReads = new();

    /// <summary>Queues a read and hands one of the read threads the work of running the queue.</summary>
    private Task<T> QueueRead<T>(string what, Func<Database, T> read)
    {
        var queued = new QueuedRead<T>(what, read, Environment.TickCount64 + (LockTimeoutSeconds * 1000L));
        lock (_queuedReads)
        {
            _queuedReads.Enqueue(queued);
        }

        try
        {
            _readThreads.Post(RunQueuedReads);
        }
        catch (ObjectDisposedException e)
        {
            queued.Fail(e); // the file closed: no thread will run the queue again
        }

        return queued.Task;
    }

    /// <summary>
    /// On a read thread: waits for the turn (as long as the oldest read may still wait), then runs the reads queued by
    /// then in it. A read whose time ran out before it got a turn fails as a busy file's call would.
    /// </summary>
    private void RunQueuedReads()
    {
        while (OldestQueuedRead() is { } oldest)
        {
            if (TakeTurn(oldest.Remaining))
            {
                try
                {
                    RunQueuedReadsInTurn();
                }
                finally
                {
                    EndTurn();
                }

                return;
            }

            FailExpiredQueuedReads();
        }
    }

    private void RunQueuedReadsInTurn()
    {
        for (var ran = 0; ran < ReadsPerTurn && TakeQueuedRead(onlyExpired: false) is { } read; ran++)
        {
            if (read.Expired)
            {
                read.Fail(Busy(read.What));
            }
            else
            {
                read.RunInside(this);
            }
        }
    }

    private QueuedRead? OldestQueuedRead()
    {
        lock (_queuedReads)
        {
            return _queuedReads.TryPeek(out var oldest) ? oldest : null;
        }
    }

    /// <summary>Takes the oldest queued read out (only if its time ran out, when <paramref name="onlyExpired"/>).</summary>
    private QueuedRead? TakeQueuedRead(bool onlyExpired)
    {
        lock (_queuedReads)
        {
            return _queuedReads.TryPeek(out var oldest) && (!onlyExpired || oldest.Expired) ? _queuedReads.Dequeue() : null;
        }
    }

    private void FailExpiredQueuedReads()
    {
        while (TakeQueuedRead(onlyExpired: true) is { } expired)
        {
            expired.Fail(Busy(expired.What));
        }
    }

    private abstract class QueuedRead(string what, long deadline)
    {
        public string What => what;

        public bool Expired => Environment.TickCount64 >= deadline;

        public TimeSpan Remaining => TimeSpan.FromMilliseconds(Math.Max(deadline - Environment.TickCount64, 0));

        /// <summary>Runs the read in the turn this thread holds; its result or exception goes to its caller.</summary>
        public abstract void RunInside(LiteDbFile file);

        public abstract void Fail(Exception exception);
    }

    private sealed class QueuedRead<T>(string what, Func<Database, T> read, long deadline) : QueuedRead(what, deadline)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes, on the thread pool, with the read's result or exception.</summary>
        public Task<T> Task => _done.Task;

        public override void RunInside(LiteDbFile file)
        {
            try
            {
                _done.TrySetResult(file.RunInside(What, writes: false, read));
            }
#pragma warning disable CA1031 // handed to the caller through the task
            catch (Exception e)
#pragma warning restore CA1031
            {
                _done.TrySetException(e);
            }
        }

        public override void Fail(Exception exception) => _done.TrySetException(exception);
    }
}
