namespace KakaoFlow.Store.Tests;

/// <summary>The turn inside LiteDB: one holder, handed over in the order of arrival, a wait that gives up in time.</summary>
public sealed class TurnQueueTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void Turns_go_in_the_order_of_arrival_and_a_holder_asking_again_queues_behind_the_waiting()
    {
        var turns = new TurnQueue();
        var order = new List<string>();
        Assert.True(turns.Take(Long));

        var threads = new List<Thread>();
        foreach (var name in new[] { "첫째", "둘째", "셋째" })
        {
            var thread = new Thread(() =>
            {
                if (!turns.Take(Long))
                {
                    return; // missing from the order below
                }

                order.Add(name); // no lock: turns are exclusive
                turns.End();
            }) { IsBackground = true };
            var before = turns.Waiting;
            thread.Start();
            SpinWait.SpinUntil(() => turns.Waiting == before + 1, Long);
            threads.Add(thread);
        }

        turns.End();
        Assert.True(turns.Take(Long)); // asked again at once: after the three
        order.Add("다시");
        turns.End();

        Assert.All(threads, thread => Assert.True(thread.Join(Long)));
        Assert.Equal(["첫째", "둘째", "셋째", "다시"], order);
    }

    [Fact]
    public async Task A_wait_that_runs_out_leaves_the_queue_and_the_next_turn_is_free_at_once()
    {
        var turns = new TurnQueue();
        Assert.True(turns.Take(Long));

        var gaveUp = Task.Factory.StartNew(() => turns.Take(TimeSpan.FromMilliseconds(100)), TaskCreationOptions.LongRunning);
        Assert.False(await gaveUp.WaitAsync(Long));
        Assert.Equal(0, turns.Waiting);

        turns.End();
        Assert.True(turns.Take(TimeSpan.Zero));
        turns.End();
    }

    [Fact]
    public async Task Many_threads_never_hold_a_turn_at_once()
    {
        var turns = new TurnQueue();
        var inside = 0;
        var most = 0;
        await Parallel.ForAsync(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, (_, _) =>
        {
            Assert.True(turns.Take(Long));
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            Interlocked.Decrement(ref inside);
            turns.End();
            return ValueTask.CompletedTask;
        });

        Assert.Equal(1, most);
        Assert.True(turns.Take(TimeSpan.Zero));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
        {
            seen = was;
        }
    }
}
