using System.Diagnostics;
using System.Globalization;
using KakaoFlow.Redis.Tests.Support;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Redis;
using StackExchange.Redis;

namespace KakaoFlow.Redis.Tests;

/// <summary>
/// What the Redis store adds to the contract: two stores on one prefix stand for two hosts (each its own connection),
/// and must agree on turns, writes, claims and periods; and Redis down is a fast <see cref="StoreUnavailableException"/>.
/// </summary>
public sealed class RedisStoreTests : IDisposable
{
    private const string Bot = "피자봇";
    private readonly string _prefix = TestRedis.NewPrefix();
    private readonly List<RedisStore> _stores = [];

    public void Dispose()
    {
        _stores.ForEach(store => store.Dispose());
    }

    [Fact]
    public async Task Bot_data_updates_from_two_hosts_at_once_lose_no_increment()
    {
        var (a, b) = (Host(), Host());

        // Read-modify-write of one counter from 8 threads over two connections: a lost update leaves it short.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            var store = i % 2 == 0 ? a : b;
            for (var n = 0; n < 25; n++)
            {
                store.BotData.Update(Bot, "주문수", current => FlowValues.Number((current?.GetDouble() ?? 0) + 1), long.MaxValue);
            }
        })));

        Assert.Equal(200, a.BotData.Get(Bot, "주문수")?.GetDouble());
        Assert.True(b.BotData.Delete(Bot, "주문수"));
        Assert.Empty(a.BotData.Keys(Bot));
    }

    [Fact]
    public async Task On_one_host_each_update_runs_its_change_once_whatever_else_is_written_meanwhile()
    {
        var a = Host();
        var runs = 0;

        // Updates of one key on one host wait for each other instead of racing and running the change again (for a
        // hook, each run is script time); another key written meanwhile (a turn's order) is no conflict either.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            a.BotData.Update(Bot, "재고", current =>
            {
                Interlocked.Increment(ref runs);
                a.BotData.Set(Bot, "주문:" + i.ToString(CultureInfo.InvariantCulture), FlowValues.Number(i));
                return FlowValues.Number((current?.GetDouble() ?? 100) - 1);
            }, long.MaxValue);
        })));

        Assert.Equal(84, a.BotData.Get(Bot, "재고")?.GetDouble());
        Assert.Equal(16, runs);
    }

    [Fact]
    public async Task A_users_turn_is_held_by_one_host_at_a_time_and_handed_over_at_once()
    {
        var (a, b) = (Host(), Host());
        var held = await a.Coordination.EnterTurnAsync(Bot, "손님", CancellationToken.None);

        var waiting = b.Coordination.EnterTurnAsync(Bot, "손님", CancellationToken.None).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        await using (await b.Coordination.EnterTurnAsync(Bot, "다른손님", CancellationToken.None))
        {
            // Another user of the same bot is not held up.
        }

        var released = Stopwatch.StartNew();
        await held.DisposeAsync();
        await using (await waiting)
        {
            // At once: told on the channel, not by the lease running out (2 s); a generous bound for a loaded machine.
            Assert.True(released.Elapsed < TimeSpan.FromSeconds(1), $"handed over after {released.ElapsedMilliseconds} ms");
        }
    }

    [Fact]
    public async Task A_turn_held_longer_than_the_lease_stays_held_while_its_host_lives()
    {
        var a = Host(TimeSpan.FromMilliseconds(600));
        var b = Host(TimeSpan.FromMilliseconds(600));
        await using (await a.Coordination.EnterTurnAsync(Bot, "손님", CancellationToken.None))
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b.Coordination.EnterTurnAsync(Bot, "손님", patience.Token).AsTask());
        }
    }

    [Fact]
    public async Task A_dead_hosts_lease_runs_out_within_the_reply_bound()
    {
        var dead = Host();
        var alive = Host();
        _ = await dead.Coordination.EnterTurnAsync(Bot, "손님", CancellationToken.None);
        dead.Dispose(); // gone without releasing: no renewal, no release
        _stores.Remove(dead);

        var waited = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await using (await alive.Coordination.EnterTurnAsync(Bot, "손님", bound.Token))
        {
            Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.9));
        }
    }

    [Fact]
    public async Task A_host_that_lost_the_users_lease_cannot_overwrite_the_next_turn()
    {
        var (a, b) = (Host(TimeSpan.FromMilliseconds(300)), Host(TimeSpan.FromMilliseconds(300)));
        var stale = await a.Coordination.EnterTurnAsync(Bot, "손님", CancellationToken.None);
        ((RedisHostCoordination.Lease)stale).StopRenewing(); // a host paused past its lease

        await Task.Delay(500);
        await using (await b.Coordination.EnterTurnAsync(Bot, "손님", CancellationToken.None))
        {
            await b.Sessions.SaveAsync(Bot, "손님", Session.New with { StepId = "b의 차례" });
            var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => a.Sessions.SaveAsync(Bot, "손님", Session.New with { StepId = "늦은 a" }));
            Assert.Contains("lease", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal("b의 차례", b.Sessions.Find(Bot, "손님")?.StepId);
        await stale.DisposeAsync();
        a.Sessions.Save(Bot, "손님", Session.New with { StepId = "a, 차례 밖에서" }); // unfenced when no turn is held
        Assert.Equal("a, 차례 밖에서", b.Sessions.Find(Bot, "손님")?.StepId);
    }

    [Fact]
    public async Task An_asynchronous_session_read_returns_its_thread_while_redis_has_not_answered()
    {
        using var server = RedisServerProcess.Start();
        using var store = new RedisStore(TestRedis.Options() with { EndPoint = server.EndPoint });
        store.Sessions.Save(Bot, "손님", Session.New with { StepId = "사이즈" });
        using var admin = await ConnectionMultiplexer.ConnectAsync(server.EndPoint + ",allowAdmin=true");

        // Every client of this server (not the shared one) waits 1 s; the read is pending, not blocking its caller.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1000", "ALL");
        var read = store.Sessions.FindAsync(Bot, "손님");

        Assert.False(read.IsCompleted);
        Assert.Equal("사이즈", (await read)?.StepId);
    }

    [Fact]
    public async Task In_a_turn_an_asynchronous_read_is_the_session_read_with_the_lease_as_a_synchronous_one_is()
    {
        var (a, b) = (Host(), Host());
        a.Sessions.Save(Bot, "손님", Session.New with { StepId = "사이즈" });
        await using (await a.Coordination.EnterTurnAsync(Bot, "손님", CancellationToken.None))
        {
            b.Sessions.Save(Bot, "손님", Session.New with { StepId = "b가 몰래" }); // unfenced: b holds no turn
            Assert.Equal("사이즈", (await a.Sessions.FindAsync(Bot, "손님"))?.StepId);
            Assert.Equal("b가 몰래", (await a.Sessions.FindAsync(Bot, "손님"))?.StepId); // the lease's read is used once
        }
    }

    [Fact]
    public void Each_delivery_attempt_is_claimed_by_one_host()
    {
        var (a, b) = (Host(), Host());
        var (_, note) = a.Services.Change(Bot, _ => (new ServiceRecord(Bot, ServiceState.Blocked, "차단", DateTimeOffset.UtcNow, "operator"), new NotificationDraft(Bot, "010", "blocked", "차단됨")));
        var seen = Assert.Single(b.Services.Undelivered(10));

        Assert.True(a.Coordination.TryClaimDelivery(note!, TimeSpan.FromSeconds(30)));
        Assert.False(b.Coordination.TryClaimDelivery(seen, TimeSpan.FromSeconds(30)));

        // The attempt failed and was marked: a host that read the notification before the mark may not repeat it now...
        a.Services.MarkFailed(note!.Id, DateTimeOffset.UtcNow, "HTTP 503");
        Assert.False(b.Coordination.TryClaimDelivery(seen, TimeSpan.FromSeconds(30)));

        // ...but the next attempt, read afresh, is anyone's once; and a delivered one is no one's.
        var again = Assert.Single(b.Services.Undelivered(10));
        Assert.True(b.Coordination.TryClaimDelivery(again, TimeSpan.FromSeconds(30)));
        Assert.False(a.Coordination.TryClaimDelivery(again, TimeSpan.FromSeconds(30)));
        b.Services.MarkDelivered(again.Id, DateTimeOffset.UtcNow);
        Assert.False(a.Coordination.TryClaimDelivery(again with { Attempts = 2 }, TimeSpan.FromSeconds(30)));
        Assert.Empty(a.Services.Undelivered(10));
    }

    [Fact]
    public async Task A_period_is_claimed_by_the_first_host_to_ask_and_free_again_next_period()
    {
        var (a, b) = (Host(), Host());

        Assert.True(a.Coordination.TryClaimPeriod("sweep", TimeSpan.FromMilliseconds(500)));
        Assert.False(b.Coordination.TryClaimPeriod("sweep", TimeSpan.FromMilliseconds(500)));
        Assert.False(a.Coordination.TryClaimPeriod("sweep", TimeSpan.FromMilliseconds(500)));
        Assert.True(b.Coordination.TryClaimPeriod("other task", TimeSpan.FromMilliseconds(500)));

        await Task.Delay(600);
        Assert.True(b.Coordination.TryClaimPeriod("sweep", TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void A_state_written_by_one_host_changes_the_version_the_others_poll()
    {
        var (a, b) = (Host(), Host());
        var before = b.Coordination.ServiceStatesVersion();

        a.Services.Change(Bot, _ => (new ServiceRecord(Bot, ServiceState.Running, "시작", DateTimeOffset.UtcNow, "owner"), null));
        var after = b.Coordination.ServiceStatesVersion();
        a.Services.Change(Bot, _ => (null, null));

        Assert.NotEqual(before, after);
        Assert.Equal(after, b.Coordination.ServiceStatesVersion());
    }

    [Fact]
    public async Task Redis_down_is_a_fast_store_unavailable_error_from_every_store()
    {
        using var nowhere = new RedisStore(new RedisStoreOptions { EndPoint = "127.0.0.1:" + ClosedPort().ToString(CultureInfo.InvariantCulture), ConnectTimeout = TimeSpan.FromMilliseconds(200) });
        var failed = Stopwatch.StartNew();

        Assert.Throws<StoreUnavailableException>(() => nowhere.Sessions.Find(Bot, "손님"));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => nowhere.Sessions.FindAsync(Bot, "손님").AsTask());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => nowhere.Sessions.SaveAsync(Bot, "손님", Session.New));
        Assert.Throws<StoreUnavailableException>(() => nowhere.Friends.MarkAdded(Bot, "손님", DateTimeOffset.UtcNow));
        Assert.Throws<StoreUnavailableException>(() => nowhere.BotData.Keys(Bot));
        Assert.Throws<StoreUnavailableException>(() => nowhere.Services.All());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => nowhere.Coordination.EnterTurnAsync(Bot, "손님", CancellationToken.None).AsTask());
        Assert.True(failed.Elapsed < TimeSpan.FromSeconds(1), $"took {failed.ElapsedMilliseconds} ms");
        Assert.False(nowhere.IsConnected);
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6390", "127.0.0.1:6390", 0, null, false)]
    [InlineData("redis://cache.internal/3", "cache.internal:6379", 3, null, false)]
    [InlineData("redis://:s%40cret@10.0.0.5:7000/15", "10.0.0.5:7000", 15, "s@cret", false)]
    [InlineData("rediss://redis.example:6380/", "redis.example:6380", 0, null, true)]
    public void A_store_url_names_the_server_database_password_and_tls(string url, string endPoint, int database, string? password, bool tls)
    {
        var options = RedisStoreOptions.FromUrl(url);

        Assert.Equal((endPoint, database, password, tls), (options.EndPoint, options.Database, options.Password, options.Tls));
        Assert.DoesNotContain("cret", options.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:6379")]
    [InlineData("http://127.0.0.1:6379")]
    [InlineData("redis://127.0.0.1:6379/zero")]
    [InlineData("redis://127.0.0.1:6379/0?ssl=true")]
    public void Anything_else_is_refused_with_what_is_wrong(string url)
    {
        Assert.Throws<FormatException>(() => RedisStoreOptions.FromUrl(url));
    }

    private RedisStore Host(TimeSpan? lease = null)
    {
        var store = new RedisStore(TestRedis.Options(_prefix) with { TurnLease = lease ?? TimeSpan.FromSeconds(2) });
        _stores.Add(store);
        return store;
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
