using KakaoFlow.Store.Tests.Support;
using LiteDB;

namespace KakaoFlow.Store.Tests;

/// <summary>A request's read of the data file waits for its turn inside LiteDB without holding a thread.</summary>
public sealed class AsyncReadTests : TempStoreFile
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_read_waiting_for_its_turn_returns_to_its_caller_and_runs_when_the_turn_comes()
    {
        using var file = OpenDataFile();
        file.Write("storing a customer", StoreNames.Sessions, sessions => sessions.Insert(new BsonDocument { ["_id"] = "단골", ["text"] = "불고기 피자" }));
        using var holder = HeldTurn.Hold(file, "a long write");

        // Blocking here for its turn, it would fail after 2 s (the holder waits for this thread to release it).
        var read = file.ReadAsync("reading a customer", database => database.Sessions.FindExactly("단골", database.Collation)?["text"].AsString);
        Assert.False(read.IsCompleted);
        Assert.True(SpinWait.SpinUntil(() => file.Waiting == 1, Long)); // on a thread of the file's own

        holder.Release();
        Assert.Equal("불고기 피자", await read);
        await holder.Ended;
    }

    [Fact]
    public async Task A_read_that_waits_too_long_fails_like_a_busy_file_and_leaves_the_queue()
    {
        using var file = OpenDataFile();
        using var holder = HeldTurn.Hold(file, "a write that outlasts the wait");

        var failure = await Assert.ThrowsAsync<KakaoFlow.Storage.StoreUnavailableException>(
            async () => await file.ReadAsync("reading a customer", database => database.Sessions.Count()));
        Assert.Contains("busy with other calls", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, file.Waiting);

        holder.Release();
        await holder.Ended;
        Assert.Equal(0, await file.ReadAsync("counting", database => database.Sessions.Count()));
    }

    [Fact]
    public async Task Reads_waiting_for_their_turn_wait_on_four_threads_of_the_files_own_and_each_runs_once()
    {
        using var file = OpenDataFile();
        using var holder = HeldTurn.Hold(file, "a long write");

        var order = new List<string>();
        var reads = QueuedReads(file, 12, order); // the file's four threads wait; the other reads wait in its queue
        Thread.Sleep(100);
        Assert.Equal(4, file.Waiting);

        holder.Release();
        Assert.Equal(Enumerable.Range(0, 12).Select(Read), await Task.WhenAll(reads).WaitAsync(Long));
        Assert.Equal(Enumerable.Range(0, 12).Select(Read).Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal)); // each once
        await holder.Ended;
    }

    [Fact]
    public async Task Reads_queued_behind_a_write_run_together_in_the_next_turn_before_a_call_that_came_after_them()
    {
        var order = await QueuedReadsThenAWrite(12);

        // One turn each, the write would have come after the four reads its four threads were waiting with.
        Assert.Equal([.. Enumerable.Range(0, 12).Select(Read), "write"], order);
    }

    [Fact]
    public async Task A_call_waiting_behind_queued_reads_waits_for_at_most_one_batch_per_read_thread_ahead_of_it()
    {
        var order = await QueuedReadsThenAWrite(200);

        Assert.Equal(4 * LiteDbFile.ReadsPerTurn, order.IndexOf("write")); // the four threads were waiting before it
        Assert.Equal(Enumerable.Range(0, 200).Select(Read), order.Where(entry => entry != "write")); // in the order they came
    }

    /// <summary>
    /// <paramref name="count"/> reads that find the turn taken, then a write asking for it after them; the order they ran
    /// in once the turn was free.
    /// </summary>
    private async Task<List<string>> QueuedReadsThenAWrite(int count)
    {
        using var file = OpenDataFile();
        using var holder = HeldTurn.Hold(file, "a long write");
        var order = new List<string>();
        var reads = QueuedReads(file, count, order);

        var write = WriteWhenAllWait(file, order);
        holder.Release();
        await Task.WhenAll(reads).WaitAsync(Long);
        await write;
        await holder.Ended;
        return order;
    }

    private static string Read(int i) => "read " + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads that find the turn taken, each noting itself in <paramref name="order"/> when it runs; returns once the file's four threads wait with them.</summary>
    private static List<Task<string>> QueuedReads(LiteDbFile file, int count, List<string> order)
    {
        var reads = Enumerable.Range(0, count).Select(i => file.ReadAsync("reading in turn", _ =>
        {
            order.Add(Read(i)); // no lock: turns are exclusive
            return Read(i);
        }).AsTask()).ToList();
        Assert.True(SpinWait.SpinUntil(() => file.Waiting == 4, Long));
        return reads;
    }

    /// <summary>A write on a thread of its own, asking for its turn after the calls waiting now.</summary>
    private static Task WriteWhenAllWait(LiteDbFile file, List<string> order)
    {
        var waitingBefore = file.Waiting;
        var write = Task.Factory.StartNew(
            () => file.Write("a write after the reads", StoreNames.Sessions, _ =>
            {
                order.Add("write");
                return true;
            }),
            TaskCreationOptions.LongRunning);
        Assert.True(SpinWait.SpinUntil(() => file.Waiting == waitingBefore + 1, Long));
        return write.WaitAsync(Long);
    }

    [Fact]
    public async Task A_read_waiting_on_the_files_threads_when_it_closes_fails_as_disposed_and_so_does_one_handed_over_after()
    {
        var file = OpenDataFile();
        using var holder = HeldTurn.Hold(file, "a long write");
        var waiting = file.ReadAsync("reading while it closes", database => database.Sessions.Count()).AsTask();
        Assert.True(SpinWait.SpinUntil(() => file.Waiting == 1, Long));

        var closing = Task.Factory.StartNew(file.Dispose, TaskCreationOptions.LongRunning); // waits for the read's thread
        holder.Release();
        await closing.WaitAsync(Long);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        await holder.Ended;

        // After the end: the turn is free, so the read runs at once and finds the file closed.
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await file.ReadAsync("reading after the end", database => database.Sessions.Count()));
    }

    [Fact]
    public async Task A_read_that_must_wait_after_the_file_closed_fails_as_disposed()
    {
        var file = OpenDataFile();
        using var holder = HeldTurn.Hold(file, "a write still inside when it closes");
        file.Dispose(); // the write inside closes it when it leaves

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await file.ReadAsync("reading after the end", database => database.Sessions.Count()));
        holder.Release();
        await holder.Ended;
    }

    /// <summary>A write on a thread of its own, holding the turn inside LiteDB until released.</summary>
    private sealed class HeldTurn : IDisposable
    {
        private readonly ManualResetEventSlim _release = new();

        private HeldTurn(LiteDbFile file, string what)
        {
            using var holding = new ManualResetEventSlim();
            Ended = Task.Factory.StartNew(() => file.Transaction(what, _ =>
            {
                holding.Set();
                Assert.True(_release.Wait(Long));
            }), TaskCreationOptions.LongRunning).WaitAsync(Long);
            Assert.True(holding.Wait(Long));
        }

        /// <summary>Completes when the write has ended (faults when it failed).</summary>
        public Task Ended { get; }

        public static HeldTurn Hold(LiteDbFile file, string what) => new(file, what);

        public void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            Ended.Wait(Long);
            _release.Dispose();
        }
    }
}
