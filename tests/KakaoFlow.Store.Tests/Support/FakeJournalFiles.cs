namespace KakaoFlow.Store.Tests.Support;

/// <summary>
/// A file layer for the session journal that writes to memory and lets the test hold an fsync
/// (<see cref="IJournalSegment.Flush(bool)"/> with <c>toDisk</c>) for as long as it wants, and that records every
/// operation in order (<see cref="Events"/>).
/// </summary>
internal sealed class FakeJournalFiles : IJournalFiles, IDisposable
{
    private readonly List<string> _events = [];
    private readonly ManualResetEventSlim _syncAllowed = new(initialState: true);
    private readonly SemaphoreSlim _syncEntered = new(0);
    private readonly List<(Thread, bool)> _syncingThreads = [];
    private readonly List<bool> _zeroedOnThreadPool = [];

    /// <summary>Every operation so far: <c>create NAME</c>, <c>create-zeroed NAME BYTES</c>, <c>move NAME NEWNAME</c>,
    /// <c>write NAME BYTES</c>, <c>flush NAME</c>, <c>fsync NAME</c> (when it returned), <c>sync-dir</c>,
    /// <c>sync-file NAME</c>, <c>delete NAME</c> (file names without their folder).</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Each thread a segment's fsync ran on, and whether it was a thread-pool thread then.</summary>
    public IReadOnlyList<(Thread Thread, bool OnThreadPool)> SyncingThreads
    {
        get
        {
            lock (_events)
            {
                return [.. _syncingThreads];
            }
        }
    }

    /// <summary>For each spare made (<see cref="CreateZeroed"/>), whether a thread-pool thread made it.</summary>
    public IReadOnlyList<bool> ZeroedOnThreadPool
    {
        get
        {
            lock (_events)
            {
                return [.. _zeroedOnThreadPool];
            }
        }
    }

    /// <summary>Bytes of each segment that a returned fsync covers.</summary>
    public Dictionary<string, long> SyncedBytes { get; } = new(StringComparer.Ordinal);

    /// <summary>Bytes written to each segment.</summary>
    public Dictionary<string, long> WrittenBytes { get; } = new(StringComparer.Ordinal);

    /// <summary>While set, a segment's write throws (a full disk) and is not recorded.</summary>
    public bool FailWrites { get; set; }

    /// <summary>While set, <see cref="CreateZeroed"/> throws (a full disk) and is not recorded.</summary>
    public bool FailZeroed { get; set; }

    /// <summary>From now on, an fsync waits until <see cref="ReleaseSyncs"/>.</summary>
    public void HoldSyncs() => _syncAllowed.Reset();

    public void ReleaseSyncs() => _syncAllowed.Set();

    /// <summary>Waits until a segment's fsync has begun (and, when held, is waiting).</summary>
    public void WaitForSync() => Assert.True(_syncEntered.Wait(TimeSpan.FromSeconds(30)), "no fsync began");

    public IJournalSegment Create(string path)
    {
        Record("create " + Path.GetFileName(path));
        lock (_events)
        {
            WrittenBytes[path] = 0;
            SyncedBytes[path] = 0;
        }

        return new Segment(this, path);
    }

    public IJournalSegment CreateZeroed(string path, long bytes)
    {
        if (FailZeroed)
        {
            throw new IOException("No space left on device");
        }

        Record($"create-zeroed {Path.GetFileName(path)} {bytes}");
        lock (_events)
        {
            _zeroedOnThreadPool.Add(Thread.CurrentThread.IsThreadPoolThread);
        }

        return new Segment(this, path);
    }

    public void Delete(string path) => Record("delete " + Path.GetFileName(path));

    public void SyncDirectory(string directory) => Record("sync-dir");

    public void SyncFile(string path) => Record("sync-file " + Path.GetFileName(path));

    public void Dispose()
    {
        _syncAllowed.Set();
        _syncAllowed.Dispose();
        _syncEntered.Dispose();
    }

    private void Record(string e)
    {
        lock (_events)
        {
            _events.Add(e);
        }
    }

    private sealed class Segment(FakeJournalFiles files, string path) : IJournalSegment
    {
        public string Name => path;

        public void MoveTo(string newPath)
        {
            files.Record($"move {Path.GetFileName(path)} {Path.GetFileName(newPath)}");
            path = newPath;
            lock (files._events)
            {
                files.WrittenBytes[path] = 0;
                files.SyncedBytes[path] = 0;
            }
        }

        public long Position { get; set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (files.FailWrites)
            {
                throw new IOException("No space left on device");
            }

            Position += bytes.Length;
            lock (files._events)
            {
                files.WrittenBytes[path] = Position;
            }

            files.Record($"write {Path.GetFileName(path)} {bytes.Length}");
        }

        public void Flush(bool toDisk)
        {
            if (!toDisk)
            {
                files.Record("flush " + Path.GetFileName(path));
                return;
            }

            files._syncEntered.Release();
            files._syncAllowed.Wait();
            lock (files._events)
            {
                files.SyncedBytes[path] = Position;
                files._syncingThreads.Add((Thread.CurrentThread, Thread.CurrentThread.IsThreadPoolThread));
            }

            files.Record("fsync " + Path.GetFileName(path));
        }

        public void SetLength(long length) => Position = length;

        public void Dispose()
        {
        }
    }
}
