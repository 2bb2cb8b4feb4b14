using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Group commit for session writes: turns hand their session document to one writer thread, which upserts
/// everything that queued up while it was busy in one explicit LiteDB transaction and then completes every
/// waiting turn together.
/// </summary>
/// <remarks>
/// <para>
/// Why: one auto-transaction per turn made every request thread take LiteDB's collection write lock in turn
/// and block on it (synchronously, on a thread-pool thread), and each commit wrote its own log pages and
/// header. Under 64 concurrent users that serialised the host on lock hand-offs and starved the thread pool.
/// One writer thread owns the lock instead; waiting turns await a task and hold no thread.
/// </para>
/// <para>
/// Durability is unchanged: a turn's task completes only after <see cref="LiteDatabase.Commit"/> of the batch
/// holding its document returned, i.e. after the batch is written to the <c>-log</c> file, exactly what a single
/// Upsert gave before (and, like it, without an fsync of its own; see <see cref="LiteDbStore"/>). A batch that
/// fails is rolled back and its documents are retried one by one, so one bad document fails only its own turn.
/// </para>
/// <para>
/// Explicit LiteDB transactions are bound to a thread; the writer is one dedicated thread that never awaits
/// inside a transaction. Only one write per user is ever queued at a time (the host holds the user's lock
/// across the await), so the order of a user's writes is the order of their turns.
/// </para>
/// </remarks>
internal sealed class SessionCommitQueue : IDisposable
{
    /// <summary>Upper bound of one transaction: keeps its dirty pages (LiteDB holds them in memory) small.</summary>
    internal const int MaxBatch = 256;

    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _collection;
    private readonly object _gate = new();
    private readonly Thread _writer;
    private List<Pending> _queued = new(MaxBatch);
    private bool _closed;

    public SessionCommitQueue(LiteDatabase database, ILiteCollection<BsonDocument> collection)
    {
        _database = database;
        _collection = collection;
        _writer = new Thread(Run) { IsBackground = true, Name = "KakaoFlow session writer" };
        _writer.Start();
    }

    /// <summary>Completes when the document is committed to the log; faults with the write's exception otherwise.</summary>
    public Task UpsertAsync(BsonDocument document)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _queued.Add(new Pending(document, done));
            if (_queued.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }

        return done.Task;
    }

    /// <summary>Commits everything already queued, then stops the writer. Call before disposing the database.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            Monitor.Pulse(_gate);
        }

        _writer.Join();
    }

    private void Run()
    {
        // Waits without spinning (a spinning writer took a third of a core on a 2-core host), then takes
        // everything queued by swapping lists, and commits it in slices of at most MaxBatch.
        var batch = new List<Pending>(MaxBatch);
        var slice = new List<Pending>(MaxBatch);
        while (true)
        {
            lock (_gate)
            {
                while (_queued.Count == 0 && !_closed)
                {
                    Monitor.Wait(_gate);
                }

                if (_queued.Count == 0)
                {
                    return;
                }

                (batch, _queued) = (_queued, batch);
            }

            for (var start = 0; start < batch.Count; start += MaxBatch)
            {
                slice.Clear();
                slice.AddRange(batch.Skip(start).Take(MaxBatch));
                Commit(slice);
            }

            batch.Clear();
        }
    }

    private void Commit(List<Pending> batch)
    {
        if (batch.Count > 1 && TryCommitTogether(batch))
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult();
            }

            return;
        }

        // One document, or a batch that failed: each in its own auto-transaction.
        foreach (var pending in batch)
        {
            try
            {
                _collection.Upsert(pending.Document);
                pending.Done.TrySetResult();
            }
#pragma warning disable CA1031 // the failure belongs to the turn that wrote this document: hand it over
            catch (Exception e)
#pragma warning restore CA1031
            {
                pending.Done.TrySetException(e);
            }
        }
    }

    private bool TryCommitTogether(List<Pending> batch)
    {
        try
        {
            if (!_database.BeginTrans())
            {
                return false;
            }

            foreach (var pending in batch)
            {
                _collection.Upsert(pending.Document);
            }

            return _database.Commit();
        }
#pragma warning disable CA1031 // rolled back below; every document is then retried on its own and fails or succeeds there
        catch (Exception)
        {
            try
            {
                _database.Rollback();
            }
            catch (Exception)
            {
            }
#pragma warning restore CA1031

            return false;
        }
    }

    private sealed record Pending(BsonDocument Document, TaskCompletionSource Done);
}
