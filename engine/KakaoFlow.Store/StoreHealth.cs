using KakaoFlow.Storage;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Store;

/// <summary>The two things that can fail to write: LiteDB's files and the session journal.</summary>
internal enum StorePart
{
    DataFile,
    Journal,
}

/// <summary>
/// The LiteDB store's <see cref="IStoreHealth"/>: unavailable from the first failed write of either part until that part
/// writes again (a LiteDB write, a journal append, or the flusher's probe, which clears both: they share a folder).
/// Logs each change once: the outage with its cause, the recovery with its length.
/// </summary>
internal sealed class StoreHealth(TimeProvider clock, ILogger? logger) : IStoreHealth
{
    private readonly Lock _gate = new();
    private volatile Problem? _dataFile;
    private volatile Problem? _journal;
    private DateTimeOffset? _availableSince;

    public StoreStatus Status
    {
        get
        {
            lock (_gate)
            {
                var first = First();
                return first is null ? new StoreStatus(true, _availableSince, null) : new StoreStatus(false, first.Since, first.Reason);
            }
        }
    }

    public bool Available => _dataFile is null && _journal is null;

    public void Failed(StorePart part, Exception exception)
    {
        bool wasAvailable;
        Problem problem;
        lock (_gate)
        {
            wasAvailable = First() is null;
            problem = new Problem(clock.GetUtcNow(), Describe(part, exception));
            if (part == StorePart.DataFile)
            {
                _dataFile ??= problem;
            }
            else
            {
                _journal ??= problem;
            }
        }

        if (wasAvailable && logger is not null)
        {
            StoreLog.StoreUnavailable(logger, problem.Reason, exception);
        }
    }

    /// <summary>A write of <paramref name="part"/> succeeded. Cheap when nothing failed: called on every write.</summary>
    public void Works(StorePart part)
    {
        if ((part == StorePart.DataFile ? _dataFile : _journal) is null)
        {
            return;
        }

        Clear(part == StorePart.DataFile, part == StorePart.Journal);
    }

    /// <summary>A probe wrote to the folder both parts live in: both work.</summary>
    public void AllWork()
    {
        if (Available)
        {
            return;
        }

        Clear(dataFile: true, journal: true);
    }

    private void Clear(bool dataFile, bool journal)
    {
        Problem? ended = null;
        DateTimeOffset now;
        lock (_gate)
        {
            var before = First();
            if (dataFile)
            {
                _dataFile = null;
            }

            if (journal)
            {
                _journal = null;
            }

            now = clock.GetUtcNow();
            if (before is not null && First() is null)
            {
                ended = before;
                _availableSince = now;
            }
        }

        if (ended is not null && logger is not null)
        {
            StoreLog.StoreAvailable(logger, now - ended.Since);
        }
    }

    private Problem? First()
    {
        var (data, journal) = (_dataFile, _journal);
        return data is null ? journal : journal is null || data.Since <= journal.Since ? data : journal;
    }

    private static string Describe(StorePart part, Exception exception)
    {
        var cause = exception;
        while (cause is StoreException { InnerException: { } inner })
        {
            cause = inner;
        }

        var what = part == StorePart.DataFile ? "the data file" : "the session journal";
        return $"{what}: {cause.Message}";
    }

    private sealed record Problem(DateTimeOffset Since, string Reason);
}
