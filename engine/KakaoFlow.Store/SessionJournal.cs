using System.Buffers;
using System.Globalization;
using System.Numerics;
using KakaoFlow.Storage;

namespace KakaoFlow.Store;

/// <summary>
/// The append-only file that makes a session write durable before LiteDB has it: each turn's session document
/// is appended as one record, and concurrent appends are written together (group commit) with a single
/// <c>write</c> to the file. An append's task completes only after that write returned.
/// </summary>
/// <remarks>
/// <para>
/// The journal is a sequence of segment files <c>{store}.sessions-{n}.journal</c>. <see cref="Rotate"/> closes the
/// current segment and starts the next one; the caller deletes closed segments once LiteDB holds every write they
/// contain (<see cref="DeleteSegments"/>). Segments left behind by a killed process are replayed at start-up
/// (<see cref="FindSegments"/> and <see cref="ReadSegment"/>) in order, so the last write of a user wins.
/// </para>
/// <para>
/// Each record is a frame with a marker, its length and two CRCs (<see cref="JournalFrames"/>): reading skips exactly the
/// records a damaged byte touches and counts them, and ignores a torn tail (only a write that never returned can be cut
/// short, and nothing was acknowledged for it).
/// </para>
/// <para>
/// Durability (<see cref="SessionDurability"/>): with <see cref="SessionDurability.Os"/>, that of LiteDB's own log: the
/// bytes are handed to the operating system before the append completes, without an fsync, so they survive a killed
/// process but not a power loss or an OS crash. With <see cref="SessionDurability.Fsync"/> each batch is fsync'd before
/// its appends complete (one fsync for every append queued while the previous batch was written: group commit), on a
/// writer thread of the journal's own, and a new segment's directory entry is fsync'd before anything in it is
/// acknowledged.
/// </para>
/// <para>
/// Prepared segments (fsync mode, see the constructor): each segment is a file of zeros written and fsync'd ahead of
/// time in the background, renamed to the segment's name when the journal moves on to it, and overwritten from its
/// start. An fsync of an overwrite need not change the file's size or block map; on ext4 it costs about half an
/// append's (docs/operations.md, "Durability"). A segment the next batch would run past is closed and the next one
/// taken. The spare is sized after the last segment (twice what it held, a power of two, from
/// <see cref="MinPreparedBytes"/> up to the given bound), so a quiet bot does not write megabytes of zeros per flush.
/// When no spare is ready the journal creates an empty segment, as without preparation. Reading ignores the zeros
/// after the last record (<see cref="JournalFrames"/>).
/// </para>
/// </remarks>
internal sealed class SessionJournal : IDisposable
{
    private const string Suffix = ".journal";

    /// <summary>The smallest prepared segment.</summary>
    public const long MinPreparedBytes = 64 * 1024;

    /// <summary>The largest prepared segment the store asks for in fsync mode.</summary>
    public const long DefaultPreparedBytes = 8L * 1024 * 1024;

    private readonly string _prefix;
    private readonly StoreHealth? _health;
    private readonly IJournalFiles _files;
    private readonly bool _sync;
    private readonly long _maxPreparedBytes;
    private readonly object _queueGate = new();
    private readonly object _fileGate = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ArrayBufferWriter<byte> _frame = new(64 * 1024);
    private readonly List<string> _closedSegments = [];
    private readonly Dictionary<string, long> _segmentBytes = new(StringComparer.Ordinal);

    /// <summary>Fsync mode's writer thread and its wake-up (see <see cref="Enqueue"/>); none in os mode.</summary>
    private readonly Thread? _writerThread;
    private readonly SemaphoreSlim? _wakeWriter;

    private long _pendingBytes;
    private List<Pending> _queued = [];
    private List<Pending> _writing = [];
    private bool _writerScheduled;
    private IJournalSegment? _segment;
    private long _segmentCapacity;
    private long _segmentNumber;
    private long _lastSegmentBytes;
    private Task<IJournalSegment?>? _spare;
    private long _spareBytes;
    private bool _closed;

    /// <param name="storeFile">The LiteDB file the journal belongs to; segments are written next to it.</param>
    /// <param name="firstSegmentNumber">Higher than any segment already on disk (see <see cref="FindSegments"/> and <see cref="ReadSegment"/>).</param>
    /// <param name="health">Told whether each write worked; none when null.</param>
    /// <param name="durability">Whether each batch is fsync'd before its appends complete.</param>
    /// <param name="files">The file layer; the real files when null.</param>
    /// <param name="preparedBytes">
    /// The largest prepared segment (see the remarks); zero: segments are empty files that grow as they are written. The
    /// first spare is prepared at once.
    /// </param>
    public SessionJournal(
        string storeFile,
        long firstSegmentNumber,
        StoreHealth? health = null,
        SessionDurability durability = SessionDurability.Os,
        IJournalFiles? files = null,
        long preparedBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preparedBytes);
        _prefix = PrefixOf(storeFile);
        _segmentNumber = firstSegmentNumber - 1;
        _health = health;
        _sync = durability == SessionDurability.Fsync;
        _files = files ?? DiskJournalFiles.Instance;
        _maxPreparedBytes = preparedBytes == 0 ? 0 : Math.Max(preparedBytes, MinPreparedBytes);
        if (_maxPreparedBytes > 0)
        {
            _lastSegmentBytes = _maxPreparedBytes; // the first spare is the largest: a deploy takes its load at once
            PrepareSpare();
        }

        if (_sync)
        {
            _wakeWriter = new SemaphoreSlim(0);
            _writerThread = new Thread(RunWriterThread) { IsBackground = true, Name = "KakaoFlow journal writer" };
            _writerThread.UnsafeStart(); // without the creator's ExecutionContext, like the pool's work items in os mode
        }
    }

    /// <summary>Where the next segment is prepared; not a segment's name, so replay never reads it.</summary>
    private string SparePath => SparePathOf(_prefix);

    /// <summary>Deletes a spare a killed process left (a fsync-mode journal replaces it anyway; an os-mode one never would).</summary>
    public static void DeleteLeftOverSpare(string storeFile) => File.Delete(SparePathOf(PrefixOf(storeFile)));

    private static string SparePathOf(string prefix) => prefix + "spare.zeroed";

    /// <summary>Bytes written to segments that are not deleted yet: what a start after a crash would replay.</summary>
    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>Completes when the record is written to the current segment; faults with the write's exception otherwise.</summary>
    public Task AppendAsync(byte[] payload)
    {
        var completion = new Completion(1);
        Enqueue(new Pending(payload, completion));
        return completion.Done.Task;
    }

    /// <summary>
    /// Starts a group of appends that complete together (<see cref="AppendGroup.Close"/>): many records, one task, instead
    /// of a task each (a flush carrying 200,000 users over appends up to 200,000 records).
    /// </summary>
    public AppendGroup StartGroup() => new(this);

    private void Enqueue(Pending pending)
    {
        bool startWriter;
        lock (_queueGate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _queued.Add(pending);
            startWriter = !_writerScheduled;
            _writerScheduled = true;
        }

        if (!startWriter)
        {
            return;
        }

        if (_wakeWriter is not null)
        {
            // An fsync holds its thread 0.1-0.3 ms at every batch; on a thread-pool worker it would take one of the pool's
            // few workers (as many as cores, unless it is starved) away from requests for that long, so fsync mode writes on
            // its own thread (bench/README.md, "a writer thread of its own").
            _wakeWriter.Release();
        }
        else
        {
            // In os mode a write returns at once: the writer runs as a thread-pool work item while there is something to
            // write, with no thread to wake.
            ThreadPool.UnsafeQueueUserWorkItem(static journal => journal.WriteQueued(), this, preferLocal: false);
        }
    }

    /// <summary>Fsync mode's writer: writes whatever is queued each time it is woken, until the journal is disposed.</summary>
    private void RunWriterThread()
    {
        while (true)
        {
            _wakeWriter!.Wait();
            WriteQueued();
            lock (_queueGate)
            {
                if (_closed && !_writerScheduled)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Closes the current segment (if anything was written to it) so that the next appends go to a new one, and returns
    /// every closed segment not deleted yet. Every append that completed before this call is in one of them.
    /// </summary>
    public IReadOnlyList<string> Rotate()
    {
        lock (_fileGate)
        {
            if (_segment is not null)
            {
                Close(_segment);
                _segment = null;
            }

            return [.. _closedSegments];
        }
    }

    /// <summary>Deletes closed segments whose writes are all in LiteDB now.</summary>
    public void DeleteSegments(IReadOnlyList<string> segments)
    {
        lock (_fileGate)
        {
            foreach (var segment in segments)
            {
                _files.Delete(segment);
                _closedSegments.Remove(segment);
                if (_segmentBytes.Remove(segment, out var bytes))
                {
                    Interlocked.Add(ref _pendingBytes, -bytes);
                }
            }
        }
    }

    /// <summary>
    /// Writes everything already queued, then stops the writer and closes the current segment; <see cref="Rotate"/> and
    /// <see cref="DeleteSegments"/> still work, so the owner can flush and delete the last segments.
    /// </summary>
    public void Dispose()
    {
        lock (_queueGate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            if (!_writerScheduled)
            {
                _drained.TrySetResult();
            }
        }

        _drained.Task.GetAwaiter().GetResult();
        if (_writerThread is not null)
        {
            _wakeWriter!.Release(); // when it was waiting for work: it wakes, finds the journal closed, and ends
            _writerThread.Join();
            _wakeWriter.Dispose();
        }

        Rotate();
        lock (_fileGate)
        {
            DropSpare();
        }
    }

    /// <summary>The segments on disk for <paramref name="storeFile"/>, oldest first, with their numbers.</summary>
    public static IReadOnlyList<(string Path, long Number)> FindSegments(string storeFile)
    {
        var prefix = PrefixOf(storeFile);
        var directory = Path.GetDirectoryName(prefix)!;
        var namePrefix = Path.GetFileName(prefix);
        var found = new List<(string, long)>();
        if (!Directory.Exists(directory))
        {
            return found;
        }

        foreach (var path in Directory.EnumerateFiles(directory, namePrefix + "*" + Suffix))
        {
            var name = Path.GetFileName(path);
            var number = name.AsSpan(namePrefix.Length, name.Length - namePrefix.Length - Suffix.Length);
            if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                found.Add((path, n));
            }
        }

        found.Sort((a, b) => a.Item2.CompareTo(b.Item2));
        return found;
    }

    /// <summary>The complete records of one segment, in the order they were written, and how many were damaged.</summary>
    public static SegmentContents ReadSegment(string path) => JournalFrames.Read(File.ReadAllBytes(path));

    private static string PrefixOf(string storeFile) => Path.GetFullPath(storeFile) + ".sessions-";

    /// <summary>Writes batches until the queue is empty; what queues up during a write is the next batch.</summary>
    private void WriteQueued()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_queueGate)
            {
                if (_queued.Count == 0)
                {
                    _writerScheduled = false;
                    if (_closed)
                    {
                        _drained.TrySetResult();
                    }

                    return;
                }

                batch = _queued;
                _queued = _writing;
                _writing = batch;
            }

            Write(batch);
            batch.Clear();
        }
    }

    private void Write(List<Pending> batch)
    {
        _frame.ResetWrittenCount();
        foreach (var pending in batch)
        {
            JournalFrames.Write(_frame, pending.Payload);
        }

        try
        {
            lock (_fileGate)
            {
                if (_segment is not null && _segment.Position > 0 && _segment.Position + _frame.WrittenCount > _segmentCapacity)
                {
                    Close(_segment); // full: this batch starts the next one
                    _segment = null;
                }

                _segment ??= OpenNextSegment();
                var end = _segment.Position;
                try
                {
                    _segment.Write(_frame.WrittenSpan);
                    _segment.Flush(_sync);
                }
                catch
                {
                    CutBack(end);
                    throw;
                }
            }
        }
#pragma warning disable CA1031 // the failure belongs to the turns whose records these were: hand it over
        catch (Exception e)
#pragma warning restore CA1031
        {
            _health?.Failed(StorePart.Journal, e);
            foreach (var pending in batch)
            {
                pending.Done.Failed(e);
            }

            return;
        }

        Interlocked.Add(ref _pendingBytes, _frame.WrittenCount);
        _health?.Works(StorePart.Journal);
        foreach (var pending in batch)
        {
            pending.Done.Written();
        }
    }

    /// <summary>
    /// After a failed write (a full disk writes part of a batch, then fails), cuts the segment back to where the batch
    /// began, so the next batch follows the last complete record; a segment that cannot even be cut is closed, and the next
    /// batch goes to a new one. Called under the file lock.
    /// </summary>
    private void CutBack(long end)
    {
        try
        {
            _segment!.SetLength(end);
            _segment.Position = end;
        }
#pragma warning disable CA1031 // the write's own failure is the one reported
        catch (Exception)
#pragma warning restore CA1031
        {
            try
            {
                _segment!.Dispose();
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
                // Closing an unbuffered stream writes nothing; whatever it says, the segment is done.
            }

            _closedSegments.Add(_segment!.Name);
            _segmentBytes[_segment.Name] = end;
            _segment = null;
        }
    }

    /// <summary>Closes a segment and counts it among the closed ones, with its size. Called under the file lock.</summary>
    private void Close(IJournalSegment segment)
    {
        var bytes = segment.Position;
        segment.Dispose();
        _closedSegments.Add(segment.Name);
        _segmentBytes[segment.Name] = bytes;
        _lastSegmentBytes = bytes;
    }

    /// <summary>The next segment: the prepared spare renamed, or a new empty file. Called under the file lock.</summary>
    private IJournalSegment OpenNextSegment()
    {
        _segmentNumber++;
        var path = _prefix + _segmentNumber.ToString("D8", CultureInfo.InvariantCulture) + Suffix;
        var segment = TakeSpare(path);
        if (segment is null)
        {
            segment = _files.Create(path);
            _segmentCapacity = _maxPreparedBytes > 0 ? _maxPreparedBytes : long.MaxValue;
        }

        if (_maxPreparedBytes > 0)
        {
            PrepareSpare(); // the spare, if there was one, is taken or dropped by now
        }

        if (_sync)
        {
            try
            {
                // A file whose directory entry is lost in a power cut is lost with its records, however well they were synced.
                _files.SyncDirectory(Path.GetDirectoryName(path)!);
            }
            catch
            {
                segment.Dispose();
                _files.Delete(path);
                throw;
            }
        }

        return segment;
    }

    /// <summary>
    /// The spare, renamed to <paramref name="path"/>, when it was prepared; waits for a preparation still running (a few
    /// MB of zeros, started when the last segment was opened). Null when there is none or it failed. Under the file lock.
    /// </summary>
    private IJournalSegment? TakeSpare(string path)
    {
        if (WaitForSpare() is not { } spare)
        {
            return null;
        }

        try
        {
            spare.MoveTo(path);
        }
#pragma warning disable CA1031 // a spare that cannot be renamed is dropped; the segment is created as without preparation
        catch (Exception)
#pragma warning restore CA1031
        {
            Discard(spare);
            return null;
        }

        _segmentCapacity = _spareBytes;
        return spare;
    }

    /// <summary>
    /// Starts writing the next spare in the background, on a thread of its own: writing megabytes and an fsync blocks it
    /// for about 10 ms, which on a thread-pool worker would hold requests back. Under the file lock (or in the constructor).
    /// </summary>
    private void PrepareSpare()
    {
        var bytes = PreparedSize();
        var path = SparePath;
        _spare = Task.Factory.StartNew(() =>
        {
            try
            {
                return _files.CreateZeroed(path, bytes);
            }
#pragma warning disable CA1031 // without a spare the next segment is an empty file; its creation reports what is wrong
            catch (Exception)
#pragma warning restore CA1031
            {
                TryDelete(path);
                return null;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _spareBytes = bytes;
    }

    /// <summary>Twice what the last segment held, as a power of two, within the bounds.</summary>
    private long PreparedSize() =>
        Math.Clamp((long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, 2 * _lastSegmentBytes)), MinPreparedBytes, _maxPreparedBytes);

    private void DropSpare()
    {
        if (WaitForSpare() is { } spare)
        {
            Discard(spare);
        }
    }

    /// <summary>The spare once its preparation ends (null: none, or it failed); the journal holds none after. Under the file lock.</summary>
    private IJournalSegment? WaitForSpare()
    {
        var preparing = _spare;
        _spare = null;
        return preparing?.GetAwaiter().GetResult();
    }

    private void Discard(IJournalSegment spare)
    {
        spare.Dispose();
        TryDelete(spare.Name);
    }

    private void TryDelete(string path)
    {
        try
        {
            _files.Delete(path);
        }
#pragma warning disable CA1031 // a stray spare is replaced by the next preparation and never read
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private readonly record struct Pending(byte[] Payload, Completion Done);

    /// <summary>Completes once each of its appends is written, or faults with the first write that failed.</summary>
    private sealed class Completion(int appends)
    {
        private int _remaining = appends;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add() => Interlocked.Increment(ref _remaining);

        public void Written()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                Done.TrySetResult();
            }
        }

        public void Failed(Exception e) => Done.TrySetException(e);
    }

    /// <summary>Appends that complete together: <see cref="Append"/> each record (in the order they must be written), then <see cref="Close"/>.</summary>
    public sealed class AppendGroup
    {
        private readonly SessionJournal _journal;
        private readonly Completion _completion = new(1); // the open group holds one count until it is closed

        internal AppendGroup(SessionJournal journal) => _journal = journal;

        /// <summary>Queues <paramref name="payload"/> after every append queued before it.</summary>
        public void Append(byte[] payload)
        {
            _completion.Add();
            try
            {
                _journal.Enqueue(new Pending(payload, _completion));
            }
            catch
            {
                _completion.Written(); // not queued: not waited for
                throw;
            }
        }

        /// <summary>Completes when every record of the group is written; faults with the first failed write's exception.</summary>
        public Task Close()
        {
            _completion.Written();
            return _completion.Done.Task;
        }
    }
}
