using System.Text;
using KakaoFlow.Payments;

namespace KakaoFlow.Tests.Payments;

public sealed class PaymentServiceTests
{
    private const string Bot = "shop";
    private const string Alice = "alice-key";
    private const string Bob = "bob-key";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly InMemoryPaymentStore _store = new();
    private readonly CountingGateway _gateway = new();
    private readonly PaymentService _payments;

    public PaymentServiceTests() =>
        _payments = new PaymentService(_store, _gateway, new RegistrationTokens(Encoding.UTF8.GetBytes(new string('k', 32))), () => new Uri("https://shop.example.com/"));

    private CardRegistrationOutcome Register(string user, string number, string expiry = "12/30", string holder = "홍길동")
    {
        var ticket = _payments.Tokens.Read(_payments.Tokens.Issue(Bot, user, Now), Bot, Now, out _)!;
        return _payments.RegisterCard(ticket, number, expiry, holder, Now);
    }

    [Fact]
    public void A_registered_card_is_kept_as_billing_key_brand_and_last_4()
    {
        var outcome = Register(Alice, "4242 4242 4242 4242");

        Assert.Equal(new CardSummary("Visa", "4242"), outcome.Card);
        Assert.Equal(new CardSummary("Visa", "4242"), _payments.Card(Bot, Alice));
        var kept = _store.FindCard(Bot, PaymentUsers.Holder(Alice))!;
        Assert.StartsWith("sbx_ok_", kept.BillingKey, StringComparison.Ordinal);
        Assert.DoesNotContain("42424242", kept.ToString(), StringComparison.Ordinal);
        Assert.Null(_payments.Card(Bot, Bob));
        Assert.Null(_payments.Card("pizza", Alice));
    }

    [Theory]
    [InlineData("4242 4242 4242 4241", "12/30", "홍길동", "카드 번호")]
    [InlineData("4242 4242 4242 4242", "13/30", "홍길동", "MM/YY")]
    [InlineData("4242 4242 4242 4242", "12/25", "홍길동", "유효기간이 지난")]
    [InlineData("4242 4242 4242 4242", "12/30", " ", "이름")]
    public void A_bad_form_is_refused_with_a_message_and_the_link_stays_usable(string number, string expiry, string holder, string says)
    {
        var ticket = _payments.Tokens.Read(_payments.Tokens.Issue(Bot, Alice, Now), Bot, Now, out _)!;

        var refused = _payments.RegisterCard(ticket, number, expiry, holder, Now);
        var corrected = _payments.RegisterCard(ticket, "4242 4242 4242 4242", "12/30", "홍길동", Now);

        Assert.Contains(says, refused.Problem, StringComparison.Ordinal);
        Assert.False(refused.TokenUsed);
        Assert.NotNull(corrected.Card);
    }

    [Fact]
    public void A_link_registers_one_card_only()
    {
        var ticket = _payments.Tokens.Read(_payments.Tokens.Issue(Bot, Alice, Now), Bot, Now, out _)!;

        Assert.NotNull(_payments.RegisterCard(ticket, "4242 4242 4242 4242", "12/30", "홍길동", Now).Card);
        Assert.True(_payments.RegisterCard(ticket, "5555 5555 5555 4444", "12/30", "홍길동", Now).TokenUsed);
        Assert.Equal("Visa", _payments.Card(Bot, Alice)!.Brand);
    }

    [Fact]
    public void The_sandbox_decides_by_card_number()
    {
        Register(Alice, "4000 0000 0000 0002");
        Register(Bob, "4000 0000 0000 9995");
        Register("carol", "5555 5555 5555 4444");

        Assert.Equal("declined", _payments.Charge(Bot, Alice, 1000, "A1", Now).Code);
        Assert.Equal("insufficient_funds", _payments.Charge(Bot, Bob, 1000, "B1", Now).Code);
        Assert.True(_payments.Charge(Bot, "carol", 1000, "C1", Now).Ok);
        Assert.Equal("no_card", _payments.Charge(Bot, "dave", 1000, "D1", Now).Code);
        Assert.Equal(["approved", "declined", "declined"], _payments.Payments(Bot, 10).Select(p => p.State.ToString().ToLowerInvariant()).Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-100)]
    [InlineData(1500.5)]
    [InlineData(double.NaN)]
    [InlineData(100_000_001)]
    public void An_amount_that_is_not_1_to_100_million_whole_won_is_invalid(double amount)
    {
        Register(Alice, "4242 4242 4242 4242");

        Assert.Equal("invalid_amount", _payments.Charge(Bot, Alice, amount, "A1", Now).Code);
        Assert.Equal(0, _gateway.Charges);
    }

    [Fact]
    public void Charging_an_order_again_gives_the_first_result_and_charges_once()
    {
        Register(Alice, "4242 4242 4242 4242");

        var first = _payments.Charge(Bot, Alice, 5600, "A1001", Now);
        var again = _payments.Charge(Bot, Alice, 5600, "A1001", Now.AddSeconds(5));

        Assert.True(first.Ok);
        Assert.Equal((first.PaymentId, 5600L, true), (again.PaymentId, again.Amount, again.Ok));
        Assert.True(again.Replayed);
        Assert.Equal(1, _gateway.Charges);
        Assert.Single(_payments.Payments(Bot, 10));
    }

    [Fact]
    public void The_same_order_with_another_amount_or_user_is_refused()
    {
        Register(Alice, "4242 4242 4242 4242");
        Register(Bob, "4242 4242 4242 4242");
        _payments.Charge(Bot, Alice, 5600, "A1001", Now);

        Assert.Equal("order_mismatch", _payments.Charge(Bot, Alice, 5700, "A1001", Now).Code);
        Assert.Equal("order_mismatch", _payments.Charge(Bot, Bob, 5600, "A1001", Now).Code);
        Assert.Equal(1, _gateway.Charges);
    }

    [Fact]
    public void Order_ids_are_per_bot()
    {
        Register(Alice, "4242 4242 4242 4242");
        var ticket = _payments.Tokens.Read(_payments.Tokens.Issue("pizza", Alice, Now), "pizza", Now, out _)!;
        _payments.RegisterCard(ticket, "4242 4242 4242 4242", "12/30", "홍길동", Now);

        Assert.True(_payments.Charge(Bot, Alice, 5600, "1001", Now).Ok);
        Assert.True(_payments.Charge("pizza", Alice, 9000, "1001", Now).Ok);
        Assert.Equal(2, _gateway.Charges);
    }

    [Fact]
    public void A_declined_order_can_be_paid_with_another_card()
    {
        Register(Alice, "4000 0000 0000 0002");
        var declined = _payments.Charge(Bot, Alice, 5600, "A1001", Now);
        Register(Alice, "4242 4242 4242 4242");
        var paid = _payments.Charge(Bot, Alice, 5600, "A1001", Now);

        Assert.Equal("declined", declined.Code);
        Assert.True(paid.Ok);
        Assert.Equal(2, _payments.Payments(Bot, 10).Count);
    }

    [Fact]
    public void A_refund_happens_once()
    {
        Register(Alice, "4242 4242 4242 4242");
        var paid = _payments.Charge(Bot, Alice, 5600, "A1001", Now);

        var first = _payments.Refund(Bot, paid.PaymentId!, Now);
        var second = _payments.Refund(Bot, paid.PaymentId!, Now);

        Assert.True(first.Ok);
        Assert.Equal("already_refunded", second.Code);
        Assert.Equal(1, _gateway.Refunds);
        Assert.Equal(PaymentState.Refunded, _store.FindPayment(Bot, paid.PaymentId!)!.State);
        Assert.Equal("unknown_payment", _payments.Refund(Bot, "pay_nope", Now).Code);
        Assert.Equal("unknown_payment", _payments.Refund("pizza", paid.PaymentId!, Now).Code);

        // A refunded order is still taken: charging it again replays the first result, as payment APIs do.
        Assert.True(_payments.Charge(Bot, Alice, 5600, "A1001", Now).Replayed);
    }

    [Fact]
    public void A_declined_payment_has_nothing_to_refund()
    {
        Register(Alice, "4000 0000 0000 0002");
        _payments.Charge(Bot, Alice, 5600, "A1001", Now);
        var declined = _payments.Payments(Bot, 1)[0];

        Assert.Equal("not_approved", _payments.Refund(Bot, declined.PaymentId, Now).Code);
    }

    [Fact]
    public void A_voided_charge_frees_its_order_id()
    {
        Register(Alice, "4242 4242 4242 4242");
        var paid = _payments.Charge(Bot, Alice, 5600, "A1001", Now);

        Assert.True(_payments.Void(Bot, paid.PaymentId!, Now).Ok);
        var again = _payments.Charge(Bot, Alice, 5600, "A1001", Now);

        Assert.True(again.Ok);
        Assert.False(again.Replayed);
        Assert.NotEqual(paid.PaymentId, again.PaymentId);
        Assert.Equal("turn_failed", _store.FindPayment(Bot, paid.PaymentId!)!.Code);
    }

    [Fact]
    public void Concurrent_charges_of_one_order_charge_once()
    {
        Register(Alice, "4242 4242 4242 4242");

        var results = Enumerable.Range(0, 20).AsParallel().WithDegreeOfParallelism(8)
            .Select(_ => _payments.Charge(Bot, Alice, 5600, "A1001", Now)).ToList();

        Assert.All(results, r => Assert.True(r.Ok));
        Assert.Single(results.Select(r => r.PaymentId).Distinct());
        Assert.Equal(1, _gateway.Charges);
    }

    [Fact]
    public void A_payment_record_names_the_user_by_tag_only()
    {
        Register(Alice, "4242 4242 4242 4242");
        _payments.Charge(Bot, Alice, 5600, "A1001", Now);

        var payment = _payments.Payments(Bot, 1)[0];

        Assert.Equal(PaymentUsers.Tag(Alice), payment.User);
        Assert.Equal(("Visa", "4242", "A1001", 5600L), (payment.Brand, payment.Last4, payment.OrderId, payment.Amount));
        Assert.DoesNotContain(Alice, payment.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Links_are_absolute_under_the_public_url()
    {
        var url = new Uri(_payments.RegisterUrl("동네 마트", Alice, Now));

        Assert.Equal("https", url.Scheme);
        Assert.Equal("shop.example.com", url.Host);
        Assert.StartsWith("/%EB%8F%99%EB%84%A4%20%EB%A7%88%ED%8A%B8/pay/register", url.AbsolutePath, StringComparison.Ordinal);
        Assert.StartsWith("?t=", url.Query, StringComparison.Ordinal);
    }

    /// <summary>The sandbox, counting the calls that would move money.</summary>
    private sealed class CountingGateway : ICardGateway
    {
        private readonly SandboxGateway _sandbox = new();
        private int _charges;
        private int _refunds;

        public int Charges => _charges;

        public int Refunds => _refunds;

        public string Name => _sandbox.Name;

        public CardRegistration Register(CardDetails card) => _sandbox.Register(card);

        public GatewayResult Charge(string billingKey, long amount, string idempotencyKey)
        {
            Interlocked.Increment(ref _charges);
            return _sandbox.Charge(billingKey, amount, idempotencyKey);
        }

        public GatewayResult Refund(string gatewayPaymentId, long amount, string idempotencyKey)
        {
            Interlocked.Increment(ref _refunds);
            return _sandbox.Refund(gatewayPaymentId, amount, idempotencyKey);
        }
    }
}
