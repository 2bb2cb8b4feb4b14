using System.Globalization;
using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Compiling;
using KakaoFlow.Hosting;
using KakaoFlow.Payments;
using KakaoFlow.Redis.Tests.Support;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using KakaoFlow.Store.Redis;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Redis.Tests;

/// <summary>
/// Hosts on one Redis, each in this process with its own folder and clock (docs/scale-out.md): every piece of state is
/// in Redis (a host started later sees all of it, and no host has a data file), <c>data.update</c> from hooks on two
/// hosts at once, the error budget per Asia/Seoul day, and the retention sweep's pruning.
/// </summary>
public sealed class MultiHostStateTests
{
    private const string Shop = "가게";

    private static readonly Dictionary<string, string> ShopFlow = new()
    {
        [Shop] = """
            name: 동네 가게
            monitor: { phone: "010-2222-3333" }
            privacy_consent: true
            settings:
              error_limit_per_day: 5
              retention: 1d
            home:
              - 방문:
                  js: "data.set('방문자', (data.get('방문자') || 0) + 1)"
                  say: 어서 오세요
              - 방문자 수:
                  js: "say('방문자 ' + data.get('방문자') + '명')"
              - 주문:
                  js: "say('주문 ' + data.update('주문수', n => (n || 0) + 1) + '번')"
              - 메뉴:
                  say: 무엇을 드릴까요?
                  buttons:
                    - 커피: 커피 나왔습니다
              - 고장:
                  js: "throw new Error('기계가 고장났어요')"
                  say: 보이지 않는 답
            """,
    };

    [Fact]
    public async Task Every_piece_of_state_is_in_Redis_and_a_host_started_later_sees_all_of_it()
    {
        var redis = TestRedis.Options();
        var a = await TestHost.StartAsync(ShopFlow, Lifecycle.WithTokens(options => options with { Redis = redis }));
        await using (a)
        {
            // A session left mid-branch, a friend, bot data, the state decided at start, four errors (80 % of the limit:
            // one notification in the outbox).
            Assert.Equal("무엇을 드릴까요?", await a.SayAsync(Shop, "손님", "메뉴"));
            Assert.Equal(200, (int)(await a.PostJsonAsync($"/{Shop}/friend", Json.Friend("손님"))).StatusCode);
            Assert.Equal("어서 오세요", await a.SayAsync(Shop, "다른 손님", "방문"));
            for (var i = 0; i < 4; i++)
            {
                await a.SayAsync(Shop, $"고객-{i}", "고장");
            }

            // None of it in the host: its stores are Redis's, and it has no data file.
            var services = a.App.Services;
            Assert.Null(services.GetService<LiteDbStore>());
            Assert.All(
                new object[] { services.GetRequiredService<ISessionStore>(), services.GetRequiredService<IFriendStore>(), services.GetRequiredService<IBotDataStore>(), services.GetRequiredService<IServiceStore>(), services.GetRequiredService<IPaymentStore>(), services.GetRequiredService<IHostCoordination>() },
                store => Assert.Equal(typeof(RedisStore).Namespace, store.GetType().Namespace));
            Assert.False(Directory.Exists(Path.GetDirectoryName(a.DataFile)), "the host made a data folder");
        }

        // Host A is gone; host C, on another folder, starts on the same Redis and finds everything.
        await using var c = await TestHost.StartAsync(ShopFlow, Lifecycle.WithTokens(options => options with { Redis = redis }));
        Assert.Equal("커피 나왔습니다", await c.SayAsync(Shop, "손님", "커피"));
        Assert.Equal("방문자 1명", await c.SayAsync(Shop, "다른 손님", "방문자 수"));

        var (status, bot) = await c.AdminAsync(HttpMethod.Get, $"/_admin/bots/{Shop}", Lifecycle.OwnerToken);
        Assert.Equal(200, status);
        Assert.Equal(("running", "serve", TestHost.Start), (bot.GetProperty("state").GetString(), bot.GetProperty("changed_by").GetString(), bot.GetProperty("changed_at").GetDateTimeOffset()));
        Assert.Equal((4, 1), (bot.GetProperty("errors_today").GetInt32(), bot.GetProperty("friends").GetInt32()));
        var errors = bot.GetProperty("recent_errors").EnumerateArray().ToList();
        Assert.Equal(4, errors.Count);
        Assert.All(errors, error => Assert.Equal("hook-error", error.GetProperty("kind").GetString()));
        Assert.Contains("기계가 고장났어요", errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        var (_, notes) = await c.AdminAsync(HttpMethod.Get, $"/_admin/notifications?bot={Uri.EscapeDataString(Shop)}", Lifecycle.OwnerToken);
        var note = Assert.Single(notes.GetProperty("notifications").EnumerateArray().ToList());
        Assert.Equal("error-budget-80", note.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Data_update_in_hooks_on_two_hosts_at_once_loses_no_increment()
    {
        var (a, b) = await Hosts.StartTwoAsync(ShopFlow);
        await using (a)
        await using (b)
        {
            // 40 customers (40 users: no per-user order holds them up) order at once, half through each host.
            var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).SayAsync(Shop, $"손님-{i}", "주문")));

            // Each update saw the one before it, whichever host made it: numbers 1 to 40, each once.
            Assert.Equal(Enumerable.Range(1, 40).Select(i => $"주문 {i.ToString(CultureInfo.InvariantCulture)}번").Order(StringComparer.Ordinal), replies.Order(StringComparer.Ordinal));
            Assert.Equal(40, a.App.Services.GetRequiredService<IBotDataStore>().Get(Shop, "주문수")?.GetDouble());
        }
    }

    [Fact]
    public async Task The_error_budget_is_one_per_Asia_Seoul_day_across_hosts()
    {
        var (a, b) = await Hosts.StartTwoAsync(new Dictionary<string, string> { ["flaky"] = Lifecycle.Flaky(4) });
        await using (a)
        await using (b)
        {
            var user = 0;
            async Task FailOn(TestHost host) => Assert.Equal(FlowMessages.Default.Error, await host.SayAsync("flaky", $"user-{user++}", "고장"));
            void Advance(TimeSpan by)
            {
                a.Clock.Advance(by);
                b.Clock.Advance(by);
            }

            // 23:59 in Seoul (14:59 UTC): three errors; two minutes later, the next day in Seoul (the same day in UTC),
            // three more. Neither Seoul day passed the limit of 4, so the bot runs on.
            Advance(new TimeSpan(11, 59, 0));
            await FailOn(a);
            await FailOn(b);
            await FailOn(a);
            Advance(TimeSpan.FromMinutes(2));
            await FailOn(b);
            await FailOn(a);
            await FailOn(b);

            var store = b.App.Services.GetRequiredService<IServiceStore>();
            Assert.Equal((3, 3), (store.ErrorsOn("flaky", "2026-11-25")?.Count, store.ErrorsOn("flaky", "2026-11-26")?.Count));
            Assert.Equal("잘 돼요", await a.SayAsync("flaky", "someone", "정상"));
            Assert.Equal("running", await b.StateAsync("flaky"));

            // The new day's budget is shared too: two more errors, one on each host, and it is over.
            await FailOn(a);
            await FailOn(b);
            Assert.Equal(5, store.ErrorsOn("flaky", "2026-11-26")?.Count);
            Assert.Equal("stopped-by-errors", await b.StateAsync("flaky"));
        }
    }

    [Fact]
    public async Task The_sweep_on_Redis_deletes_old_sessions_error_days_and_delivered_notifications_once()
    {
        await using var webhook = await LoopbackServer.StartAsync((context, _) => LoopbackServer.WriteAsync(context, 200, "application/json", "{}"));
        var redis = TestRedis.Options();
        var (a, b) = await Hosts.StartTwoAsync(
            ShopFlow,
            options => options with { SweepInterval = TimeSpan.FromDays(1), NotifyUrl = webhook.Url, NotifyPollInterval = TimeSpan.FromMilliseconds(100) },
            redis);
        await using (a)
        await using (b)
        {
            for (var i = 0; i < 4; i++)
            {
                await (i % 2 == 0 ? a : b).SayAsync(Shop, $"고객-{i}", "고장");
            }

            Assert.Equal("무엇을 드릴까요?", await b.SayAsync(Shop, "단골", "메뉴"));
            Assert.NotNull(a.SessionOf(Shop, "단골"));
            var store = a.App.Services.GetRequiredService<IServiceStore>();
            await Lifecycle.EventuallyAsync(() => store.Notifications(Shop, 10) is [{ DeliveredAt: not null }], "the warning delivered");
            Assert.Equal(4, store.ErrorsOn(Shop, "2026-11-25")?.Count);
            int Sweeps() => a.App.Services.GetRequiredService<SessionSweeper>().Sweeps + b.App.Services.GetRequiredService<SessionSweeper>().Sweeps;
            var before = Sweeps();

            // The period claimed at start-up lasts 90 % of a day in Redis's own time: end it as that time would.
            using (var client = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(TestRedis.EndPoint))
            {
                Assert.True(await client.GetDatabase().KeyDeleteAsync(redis.KeyPrefix + "claim:period:sweep"));
            }

            // Days on, past the retention of 1d: both hosts' timers tick each day; the first tick of one host sweeps, for
            // both. (A delivery is stamped on the flow clock, the one the sweep prunes by; the real date is days later.)
            var days = TimeSpan.FromDays(3);
            a.Clock.Advance(days);
            b.Clock.Advance(days);
            await Lifecycle.EventuallyAsync(() => Sweeps() > before, "a sweep", seconds: 5);
            await Task.Delay(500); // room for a second sweep, if the claim let one through

            Assert.Equal(before + 1, Sweeps());
            Assert.Null(store.ErrorsOn(Shop, "2026-11-25"));
            Assert.Empty(store.RecentErrors(Shop, 10));
            Assert.Empty(store.Notifications(Shop, 10));
            Assert.Null(b.SessionOf(Shop, "단골"));
            var pruned = Assert.Single(a.Logs.Lines.Concat(b.Logs.Lines), line => line.Contains($"Pruned bot {Shop}", StringComparison.Ordinal));
            Assert.Contains("ErrorDays=1 Notifications=1", pruned, StringComparison.Ordinal);
        }
    }
}
