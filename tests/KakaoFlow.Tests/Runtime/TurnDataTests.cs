using System.Text;
using KakaoFlow.Compiling;
using KakaoFlow.Hooks;
using KakaoFlow.Payments;
using KakaoFlow.Runtime;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Runtime;

/// <summary>Bot data within a turn (written when the turn commits), <c>data.update</c>, and <c>pay</c> as hooks use them.</summary>
public sealed class TurnDataTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    private readonly InMemoryBotDataStore _data = new();
    private readonly PaymentService _payments = new(
        new InMemoryPaymentStore(), new SandboxGateway(), new RegistrationTokens(Encoding.UTF8.GetBytes(new string('s', 32))), () => new Uri("https://shop.example.com/"));

    private FlowRuntime Runtime(bool defers = false) =>
        new(new HookServices(_data, null) { Payments = _payments }) { DefersCommit = defers };

    private static CompiledFlow Flow(string steps) => TestFlows.CompileOk(TestFlows.Header + """
        home:
          - 가기: { goto: go }
        steps:

        """ + steps);

    private static CompiledFlow OneLineHook(string js) => Flow($"""
              go:
                js: "{js}"
            """);

    private StepResult Press(FlowRuntime runtime, CompiledFlow flow, string user = "u1") =>
        runtime.Step(flow, Session.New, Turn.Text("가기") with { User = user }, Noon);

    private void RegisterCard(string user, string number = "4242 4242 4242 4242")
    {
        var ticket = _payments.Tokens.Read(_payments.Tokens.Issue("test", user, Noon), "test", Noon, out _)!;
        Assert.NotNull(_payments.RegisterCard(ticket, number, "12/30", "테스트", Noon).Card);
    }

    [Fact]
    public void A_hook_that_throws_leaves_bot_data_as_it_was()
    {
        _data.Set("test", "stock", FlowValues.Number(5));
        var flow = Flow("""
              go:
                js: |
                  data.set('stock', 4);
                  data.set('order:1', { n: 1 });
                  data.delete('stock');
                  throw new Error('고장');
            """);

        var result = Press(Runtime(), flow);

        Assert.True(result.HasErrors);
        Assert.Equal(5, _data.Get("test", "stock")!.Value.GetInt32());
        Assert.Null(_data.Get("test", "order:1"));
    }

    [Fact]
    public void A_turn_reads_its_own_writes_and_the_store_sees_them_only_when_it_commits()
    {
        var flow = Flow("""
              go:
                js: |
                  data.set('a', 1);
                  data.set('b', 2);
                  data.delete('b');
                  vars.seen = [data.get('a'), data.get('b') === undefined, data.keys().join(',')];
                goto: next
              next:
                js: vars.later = data.get('a');
                say: 끝
            """);
        var runtime = Runtime(defers: true);

        var result = Press(runtime, flow);

        Assert.Equal("""[1,true,"a"]""", result.Session.Vars["seen"].GetRawText());
        Assert.Equal(1, result.Session.Vars["later"].GetInt32());
        Assert.Null(_data.Get("test", "a"));
        runtime.Commit("test", result.Effects, Noon);
        Assert.Equal(1, _data.Get("test", "a")!.Value.GetInt32());
        Assert.Equal(["a"], _data.Keys("test"));
    }

    [Fact]
    public void Update_stores_what_the_function_returns_and_returns_it()
    {
        var flow = Flow("""
              go:
                js: |
                  vars.first = data.update('count', (n) => (n === undefined ? 0 : n) + 1);
                  vars.second = data.update('count', (n) => n + 1);
                say: 끝
            """);

        var result = Press(Runtime(defers: true), flow);

        Assert.Equal((1, 2), (result.Session.Vars["first"].GetInt32(), result.Session.Vars["second"].GetInt32()));
        Assert.Equal(2, _data.Get("test", "count")!.Value.GetInt32());
    }

    [Theory]
    [InlineData("data.set('k', 1); data.update('k', (v) => v + 1);", "set or deleted earlier in this turn")]
    [InlineData("data.update('k', (v) => undefined);", "returned undefined")]
    [InlineData("data.update('k', 5);", "needs a function")]
    [InlineData("data.update('k', (v) => { pay.card(); return 1; });", "cannot be called inside a data.update function")]
    [InlineData("data.update('k', (v) => data.update('j', (w) => 1));", "cannot be called inside a data.update function")]
    public void Update_refuses_what_it_cannot_do_atomically(string js, string message)
    {
        var flow = OneLineHook(js);

        var result = Press(Runtime(), flow);

        Assert.Contains(message, Assert.Single(result.Issues).Message, StringComparison.Ordinal);
        Assert.Null(_data.Get("test", "k"));
    }

    [Fact]
    public void Fifty_buyers_of_the_last_ten_items_at_once_make_exactly_ten_orders_and_ten_charges()
    {
        var flow = Flow("""
              go:
                js: |
                  let ok = false;
                  data.update('stock', (s) => { const left = s === undefined ? 10 : s; ok = left > 0; return ok ? left - 1 : left; });
                  if (!ok) return say('품절');
                  const no = data.update('last', (n) => (n || 0) + 1);
                  const paid = pay.charge(1000, 'o' + no);
                  if (!paid.ok) {
                    data.update('stock', (s) => s + 1);
                    return say('결제 실패');
                  }
                  data.set('order:' + no, { paymentId: paid.paymentId });
                  say('주문 ' + no);
            """);
        var users = Enumerable.Range(1, 50).Select(i => $"buyer-{i}").ToList();
        users.ForEach(user => RegisterCard(user));
        var runtime = Runtime();
        var replies = new string?[users.Count];
        using var start = new ManualResetEventSlim();

        // One thread per buyer, all let go at once: not limited by how fast the thread pool grows.
        var threads = users.Select((user, i) => new Thread(() =>
        {
            start.Wait();
            replies[i] = Press(runtime, flow, user).Reply.Message.Text;
        })).ToList();
        threads.ForEach(thread => thread.Start());
        start.Set();
        threads.ForEach(thread => Assert.True(thread.Join(TimeSpan.FromSeconds(60))));

        Assert.Equal(10, replies.Count(text => text!.StartsWith("주문 ", StringComparison.Ordinal)));
        Assert.Equal(40, replies.Count(text => text == "품절"));
        Assert.Equal(0, _data.Get("test", "stock")!.Value.GetInt32());
        var orders = _data.Keys("test").Where(key => key.StartsWith("order:", StringComparison.Ordinal)).ToList();
        var approved = _payments.Payments("test", 100).Where(p => p.State == PaymentState.Approved).ToList();
        Assert.Equal(10, orders.Count);
        Assert.Equal(10, approved.Count);
        Assert.Equal(
            approved.Select(p => p.PaymentId).Order(),
            orders.Select(key => _data.Get("test", key)!.Value.GetProperty("paymentId").GetString()).Order());
    }

    [Fact]
    public void A_turn_that_fails_after_charging_has_its_charge_refunded()
    {
        RegisterCard("u1");
        var flow = Flow("""
              go:
                js: |
                  const paid = pay.charge(5000, 'A1');
                  data.set('order:A1', paid);
                  throw new Error('주문 저장 전에 고장');
            """);

        var result = Press(Runtime(), flow);

        Assert.True(result.HasErrors);
        var payment = Assert.Single(_payments.Payments("test", 10));
        Assert.Equal((PaymentState.Refunded, "turn_failed"), (payment.State, payment.Code));
        Assert.Null(_data.Get("test", "order:A1"));
    }

    [Fact]
    public void A_deferred_turn_that_is_undone_writes_nothing_and_refunds_its_charges()
    {
        RegisterCard("u1");
        var flow = Flow("""
              go:
                js: |
                  const paid = pay.charge(5000, 'A1');
                  data.set('order:A1', paid);
                say: 끝
            """);
        var runtime = Runtime(defers: true);

        var result = Press(runtime, flow);
        runtime.Undo("test", result.Effects, Noon);

        Assert.Null(_data.Get("test", "order:A1"));
        Assert.Equal(PaymentState.Refunded, Assert.Single(_payments.Payments("test", 10)).State);
    }

    [Fact]
    public void Pay_in_a_hook()
    {
        RegisterCard("u1", "5555 5555 5555 4444");
        var flow = Flow("""
              go:
                js: |
                  const card = pay.card();
                  const paid = pay.charge(5600, 1001);
                  const again = pay.charge(5600, '1001');
                  const other = pay.charge(5700, '1001');
                  const refund = pay.refund(paid.paymentId);
                  const twice = pay.refund(paid.paymentId);
                  vars.out = { card, paid: [paid.ok, paid.amount, paid.paymentId === again.paymentId], other: other.code, refund: refund.ok, twice: twice.code,
                    bad: pay.charge(0, 'x').code, url: pay.registerUrl().startsWith('https://shop.example.com/test/pay/register?t='),
                    removed: pay.removeCard(), after: pay.card(), none: pay.charge(100, 'y').code };
                say: 끝
            """);

        var result = Press(Runtime(), flow);

        Assert.Empty(result.Issues);
        Assert.Equal(
            """{"card":{"brand":"Mastercard","last4":"4444"},"paid":[true,5600,true],"other":"order_mismatch","refund":true,"twice":"already_refunded","bad":"invalid_amount","url":true,"removed":true,"after":null,"none":"no_card"}""",
            result.Session.Vars["out"].GetRawText());
    }

    [Theory]
    [InlineData("pay.charge(100, '')", "orderId must be")]
    [InlineData("pay.charge(100, 'a b')", "orderId must be")]
    [InlineData("pay.refund(3)", "paymentId")]
    public void Pay_refuses_bad_ids(string js, string message)
    {
        var flow = OneLineHook(js);

        Assert.Contains(message, Assert.Single(Press(Runtime(), flow).Issues).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pay_without_payments_or_without_a_user_is_an_error()
    {
        var flow = Flow("""
              go:
                js: pay.card()
            """);

        var none = new FlowRuntime(new HookServices(_data, null)).Step(flow, Session.New, Turn.Text("가기") with { User = "u1" }, Noon);
        var nobody = Runtime().Step(flow, Session.New, Turn.Text("가기"), Noon);

        Assert.Contains("no payments set up", Assert.Single(none.Issues).Message, StringComparison.Ordinal);
        Assert.Contains("needs the user", Assert.Single(nobody.Issues).Message, StringComparison.Ordinal);
    }
}
