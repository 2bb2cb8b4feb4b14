using KakaoFlow.Payments;
using KakaoFlow.Redis.Tests.Support;
using KakaoFlow.Store.Redis;
using StackExchange.Redis;

namespace KakaoFlow.Redis.Tests;

/// <summary>
/// Payments on one Redis shared by two hosts (two <see cref="RedisStore"/>s on the same key prefix, as two processes
/// would have): a link registers once, every host signs with one key, an order is charged once (docs/scale-out.md).
/// </summary>
public sealed class RedisPaymentTests : IDisposable
{
    private const string Bot = "shop";
    private static readonly DateTimeOffset At = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _prefix = TestRedis.NewPrefix();
    private readonly RedisStore _a;
    private readonly RedisStore _b;

    public RedisPaymentTests()
    {
        _a = new RedisStore(TestRedis.Options(_prefix));
        _b = new RedisStore(TestRedis.Options(_prefix));
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private static CardRecord Card(string holder, string last4) => new(Bot, holder, "sandbox", "sbx_ok_" + last4, "Visa", last4, At);

    [Fact]
    public async Task The_same_link_posted_to_two_hosts_at_once_registers_one_card()
    {
        for (var round = 0; round < 20; round++)
        {
            var holder = new string((char)('a' + round), 64);
            var link = "link-" + round;
            using var start = new Barrier(2);
            var results = await Task.WhenAll(
                Task.Run(() => { start.SignalAndWait(); return _a.Payments.RegisterCard(Card(holder, "4242"), link, At.AddMinutes(30)); }),
                Task.Run(() => { start.SignalAndWait(); return _b.Payments.RegisterCard(Card(holder, "4444"), link, At.AddMinutes(30)); }));

            Assert.Single(results, registered => registered);
            var kept = _b.Payments.FindCard(Bot, holder)!;
            Assert.Equal(results[0] ? "4242" : "4444", kept.Last4);
            Assert.Equal(link, kept.RegisteredWith);
        }
    }

    [Fact]
    public async Task A_used_link_is_forgotten_when_it_expires()
    {
        Assert.True(_a.Payments.RegisterCard(Card(new string('a', 64), "4242"), "link-1", At.AddMinutes(30)));

        using var redis = await ConnectionMultiplexer.ConnectAsync(TestRedis.EndPoint);
        var left = await redis.GetDatabase().KeyTimeToLiveAsync(_prefix + "pt:link-1");
        Assert.NotNull(left);
        Assert.InRange(left.Value, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
    }

    [Fact]
    public void Every_host_signs_links_with_one_key_made_once()
    {
        var first = _a.Payments.LinkSecret();
        Assert.True(first.Length >= 32);
        Assert.Equal(first, _b.Payments.LinkSecret());
        Assert.Equal(first, _a.Payments.LinkSecret());

        using var elsewhere = new RedisStore(TestRedis.Options());
        Assert.NotEqual(first, elsewhere.Payments.LinkSecret());

        // A link made on one host is read on the other.
        var tokens = new RegistrationTokens(_a.Payments.LinkSecret);
        var ticket = new RegistrationTokens(_b.Payments.LinkSecret).Read(tokens.Issue(Bot, "손님", At), Bot, At, out var why);
        Assert.True(ticket is not null, why);
        Assert.Null(new RegistrationTokens(elsewhere.Payments.LinkSecret).Read(tokens.Issue(Bot, "손님", At), Bot, At, out _));
    }

    [Fact]
    public async Task An_order_held_by_one_host_waits_on_the_other_until_released()
    {
        var held = _a.Payments.EnterOrder(Bot, "A1001");
        var other = Task.Run(() => _b.Payments.EnterOrder(Bot, "A1001"));
        using (var elsewhere = _b.Payments.EnterOrder(Bot, "A1002"))
        {
            // Another order is not held up.
        }

        await Task.Delay(200);
        Assert.False(other.IsCompleted, "the second host took an order the first held");

        held.Dispose();
        (await other.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task The_same_order_charged_from_two_hosts_at_once_is_charged_once()
    {
        var gateway = new MeetingGateway();
        var a = Service(_a, gateway);
        var b = Service(_b, gateway);
        foreach (var user in new[] { "손님-1", "손님-2" })
        {
            var ticket = a.Tokens.Read(a.Tokens.Issue(Bot, user, At), Bot, At, out _)!;
            Assert.NotNull(a.RegisterCard(ticket, "4242 4242 4242 4242", "12/30", "테스트", At).Card);
        }

        // The same user (a repeated request) on both hosts: one charge, the same payment twice.
        var same = await Task.WhenAll(Task.Run(() => a.Charge(Bot, "손님-1", 5600, "A1001", At)), Task.Run(() => b.Charge(Bot, "손님-1", 5600, "A1001", At)));
        Assert.All(same, result => Assert.True(result.Ok));
        Assert.Equal(same[0].PaymentId, same[1].PaymentId);

        // Two users given the same order id: one pays, the other is refused.
        var two = await Task.WhenAll(Task.Run(() => a.Charge(Bot, "손님-1", 4200, "A1002", At)), Task.Run(() => b.Charge(Bot, "손님-2", 4200, "A1002", At)));
        Assert.Single(two, result => result.Ok);
        Assert.Single(two, result => result.Code == PaymentCodes.OrderMismatch);

        Assert.Equal(2, gateway.Charges);
        Assert.Single(_b.Payments.PaymentsOfOrder(Bot, "A1001"));
        Assert.Single(_a.Payments.PaymentsOfOrder(Bot, "A1002"));
    }

    [Fact]
    public void A_refund_made_on_one_host_is_seen_by_the_other_and_made_once()
    {
        var gateway = new MeetingGateway();
        var a = Service(_a, gateway);
        var b = Service(_b, gateway);
        var ticket = a.Tokens.Read(a.Tokens.Issue(Bot, "손님", At), Bot, At, out _)!;
        a.RegisterCard(ticket, "4242 4242 4242 4242", "12/30", "테스트", At);
        var paid = a.Charge(Bot, "손님", 5600, "A1001", At);

        Assert.True(b.Refund(Bot, paid.PaymentId!, At.AddMinutes(1)).Ok);
        Assert.Equal(PaymentCodes.AlreadyRefunded, a.Refund(Bot, paid.PaymentId!, At.AddMinutes(2)).Code);
        Assert.Equal(PaymentState.Refunded, _a.Payments.Payments(Bot, 10).Single().State);
    }

    private static PaymentService Service(RedisStore store, ICardGateway gateway) =>
        new(store.Payments, gateway, new RegistrationTokens(store.Payments.LinkSecret), () => new Uri("https://shop.example/"));

    /// <summary>
    /// The sandbox, except that every other charge waits (a second at most) for the next one to reach it: two charges
    /// of one order that are not kept apart meet here, so both reach the gateway and the test sees it.
    /// </summary>
    private sealed class MeetingGateway : ICardGateway
    {
        private readonly SandboxGateway _sandbox = new();
        private int _charges;

        public string Name => _sandbox.Name;

        public int Charges => Volatile.Read(ref _charges);

        public CardRegistration Register(CardDetails card) => _sandbox.Register(card);

        public GatewayResult Charge(string billingKey, long amount, string idempotencyKey)
        {
            var mine = Interlocked.Increment(ref _charges);
            if (mine % 2 == 1)
            {
                SpinWait.SpinUntil(() => Charges > mine, TimeSpan.FromSeconds(1));
            }

            return _sandbox.Charge(billingKey, amount, idempotencyKey);
        }

        public GatewayResult Refund(string gatewayPaymentId, long amount, string idempotencyKey) => _sandbox.Refund(gatewayPaymentId, amount, idempotencyKey);
    }
}
