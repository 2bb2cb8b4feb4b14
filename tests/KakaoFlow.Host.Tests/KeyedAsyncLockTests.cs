using KakaoFlow.Hosting;

namespace KakaoFlow.Host.Tests;

public sealed class KeyedAsyncLockTests
{
    [Fact]
    public async Task Waiters_are_served_in_arrival_order_and_the_key_is_removed_afterwards()
    {
        var locks = new KeyedAsyncLock();
        var order = new List<int>();
        var first = await locks.AcquireAsync("a", CancellationToken.None);
        var waiters = Enumerable.Range(1, 10).Select(async i =>
        {
            using (await locks.AcquireAsync("a", CancellationToken.None))
            {
                lock (order)
                {
                    order.Add(i);
                }
            }
        }).ToArray();

        Assert.Equal(1, locks.ActiveKeys);
        first.Dispose();
        await Task.WhenAll(waiters);

        Assert.Equal(Enumerable.Range(1, 10), order);
        Assert.Equal(0, locks.ActiveKeys);
    }

    [Fact]
    public async Task An_abandoned_wait_is_skipped_and_other_keys_do_not_wait()
    {
        var locks = new KeyedAsyncLock();
        var held = await locks.AcquireAsync("a", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var abandoned = locks.AcquireAsync("a", cancel.Token);
        var next = locks.AcquireAsync("a", CancellationToken.None);

        using (await locks.AcquireAsync("b", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)))
        {
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        held.Dispose();
        (await next.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, locks.ActiveKeys);
    }
}
