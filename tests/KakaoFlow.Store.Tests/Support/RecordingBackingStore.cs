using System.Collections.Concurrent;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Store.Tests.Support;

/// <summary>Sessions in memory, recording the batches written and the reads; can fail the next batch.</summary>
internal sealed class RecordingBackingStore : ISessionBackingStore
{
    private readonly List<List<SessionWrite>> _batches = [];
    private readonly ManualResetEventSlim _batchesAllowed = new(initialState: true);
    private readonly SemaphoreSlim _batchHeld = new(0);
    private readonly SortedSet<string> _ids = new(StringComparer.Ordinal);
    private readonly ManualResetEventSlim _scanAllowed = new(initialState: true);
    private int _finds;

    /// <summary>How many of its sessions a held batch takes before it waits (all: <see cref="int.MaxValue"/>).</summary>
    private volatile int _holdAfter = int.MaxValue;

    /// <summary>From now on a batch waits, once its sessions are taken, until <see cref="ReleaseBatches"/>.</summary>
    public void HoldBatches()
    {
        _holdAfter = int.MaxValue;
        _batchesAllowed.Reset();
    }

    /// <summary>
    /// From now on a batch waits once it has taken <paramref name="writes"/> of its sessions (a backing store part way
    /// through a batch), or all of them if it has fewer, until <see cref="ReleaseBatches"/>.
    /// </summary>
    public void HoldBatchesAfter(int writes)
    {
        _holdAfter = writes;
        _batchesAllowed.Reset();
    }

    public void ReleaseBatches() => _batchesAllowed.Set();

    public void WaitForHeldBatch() => Assert.True(_batchHeld.Wait(TimeSpan.FromSeconds(30)), "no batch was held");

    /// <summary>What the backing store holds, read without going through the journaled store.</summary>
    public ISessionStore Stored { get; } = new InMemoryStore().Sessions;

    public Exception? FailNextBatch { get; set; }

    /// <summary>How many of the failing batch's sessions are stored before it fails (as when a later transaction of it fails).</summary>
    public int StoredBeforeTheFailure { get; set; }

    public int Finds => Volatile.Read(ref _finds);

    public IReadOnlyList<List<SessionWrite>> Batches
    {
        get
        {
            lock (_batches)
            {
                return [.. _batches];
            }
        }
    }

    /// <summary>Run by a read after it read, before it returns (as another thread's call that came in between would).</summary>
    public Action? AfterFind { get; set; }

    public Session? Find(string botId, string userKey)
    {
        Interlocked.Increment(ref _finds);
        var found = Stored.Find(botId, userKey);
        AfterFind?.Invoke();
        return found;
    }

    /// <summary>Reads of <see cref="FindAsync"/> (also counted in <see cref="Finds"/>).</summary>
    public int AsyncFinds => Volatile.Read(ref _asyncFinds);

    private int _asyncFinds;

    public async ValueTask<Session?> FindAsync(string botId, string userKey)
    {
        Interlocked.Increment(ref _asyncFinds);
        await Task.Yield(); // as a store that waits: the caller goes on later, on another thread
        return Find(botId, userKey);
    }

    public void Save(string botId, string userKey, Session session)
    {
        NoteId(botId, userKey);
        Stored.Save(botId, userKey, session);
    }

    /// <summary>The pauses a <see cref="SaveAll"/>'s sequence asked for, in order.</summary>
    public ConcurrentQueue<TimeSpan> Pauses { get; } = new();

    /// <summary>Each batch's <c>catchingUp</c> as it began, in order.</summary>
    public ConcurrentQueue<bool> CatchingUp { get; } = new();

    /// <summary>Each batch's <c>catchingUp</c> once all its sessions were taken, in order.</summary>
    public ConcurrentQueue<bool> CatchingUpAtTheEnd { get; } = new();

    public void PauseWriting(TimeSpan pause)
    {
        Pauses.Enqueue(pause);
        Thread.Sleep(pause);
    }

    public void SaveAll(IEnumerable<SessionWrite> writes, Func<bool> catchingUp)
    {
        CatchingUp.Enqueue(catchingUp());
        if (FailNextBatch is { } failure)
        {
            FailNextBatch = null;
            WaitIfHeld(); // held, it fails when released
            foreach (var write in writes.Take(StoredBeforeTheFailure))
            {
                Save(write.BotId, write.UserKey, write.Session);
            }

            throw failure;
        }

        var batch = new List<SessionWrite>();
        var held = false;
        foreach (var write in writes)
        {
            batch.Add(write);
            if (batch.Count == _holdAfter)
            {
                WaitIfHeld();
                held = true;
            }
        }

        if (!held)
        {
            WaitIfHeld();
        }

        CatchingUpAtTheEnd.Enqueue(catchingUp());

        foreach (var write in batch)
        {
            Save(write.BotId, write.UserKey, write.Session);
        }

        lock (_batches)
        {
            _batches.Add(batch);
        }
    }

    private void WaitIfHeld()
    {
        if (!_batchesAllowed.IsSet)
        {
            _batchHeld.Release();
            _batchesAllowed.Wait(TimeSpan.FromSeconds(30)); // bounded: a failed test must not hang the store's disposal
        }
    }

    /// <summary>Run by a delete or a sweep before it deletes (as another thread's call that came in between would).</summary>
    public Action? BeforeDelete { get; set; }

    public bool Delete(string botId, string userKey)
    {
        BeforeDelete?.Invoke();
        return Stored.Delete(botId, userKey);
    }

    /// <summary>Ids stay listed after a delete: the store's filter may say "maybe" for them, as it does in use.</summary>
    private void NoteId(string botId, string userKey)
    {
        lock (_ids)
        {
            _ids.Add(StoreNames.IdOf(botId, userKey));
        }
    }

    public int DeleteInactiveSince(string botId, DateTimeOffset cutoff)
    {
        BeforeDelete?.Invoke();
        return Stored.DeleteInactiveSince(botId, cutoff);
    }

    public int Count(string botId) => Stored.Count(botId);

    public void Sync()
    {
    }

    /// <summary>From now on the scan of stored ids waits at its first page until <see cref="ReleaseScan"/>.</summary>
    public void HoldScan() => _scanAllowed.Reset();

    public void ReleaseScan() => _scanAllowed.Set();

    public Exception? FailScan { get; set; }

    public IReadOnlyList<string> IdsAfter(string? after, int count)
    {
        _scanAllowed.Wait(TimeSpan.FromSeconds(30)); // bounded: a failed test must not hang the store's disposal
        if (FailScan is { } failure)
        {
            throw failure;
        }

        lock (_ids)
        {
            return [.. _ids.Where(id => after is null || string.CompareOrdinal(id, after) > 0).Take(count)];
        }
    }
}
