using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting.Payments;
using KakaoFlow.Payments;
using KakaoFlow.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// The chat-commerce sample over HTTP under concurrency: stock in the bot's <c>data</c> (LiteDB) is taken with
/// <c>data.update</c>, so buyers racing for the last items never oversell, and every order has its charge.
/// </summary>
public sealed class ShopBotTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartWithSamplesAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> Say(string user, string content)
    {
        var body = await _host.MessageTextAsync("shop", user, content);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string[] Buttons(JsonElement reply) =>
        [.. reply.GetProperty("keyboard").GetProperty("buttons").EnumerateArray().Select(b => b.GetString()!)];

    private static string Text(JsonElement reply) => reply.GetProperty("message").GetProperty("text").GetString()!;

    private PaymentService Payments => _host.App.Services.GetRequiredService<HostPayments>().Service!;

    private void RegisterCard(string user)
    {
        var now = _host.Clock.GetUtcNow();
        var ticket = Payments.Tokens.Read(Payments.Tokens.Issue("shop", user, now), "shop", now, out _)!;
        Assert.NotNull(Payments.RegisterCard(ticket, "4242 4242 4242 4242", "12/30", "테스트", now).Card);
    }

    [Fact]
    public async Task Fifty_customers_buying_the_last_ten_at_once_make_exactly_ten_paid_orders()
    {
        _host.Store.BotData.Set("shop", "stock", JsonDocument.Parse("""
            {"사과 1kg":{"price":8900,"left":0},"우유 1L":{"price":2800,"left":0},"두부 한 모":{"price":1500,"left":0},"달걀 10구":{"price":4200,"left":10}}
            """).RootElement);
        var users = Enumerable.Range(1, 50).Select(i => $"손님-{i:D2}").ToList();
        users.ForEach(RegisterCard);

        // Everyone gets to the confirmation with one carton of eggs in the cart (ten at a time, to spare the machine).
        foreach (var batch in users.Chunk(10))
        {
            await Task.WhenAll(batch.Select(async user =>
            {
                await Say(user, "장보기");
                await Say(user, "달걀 10구");
                await Say(user, "장바구니 보기");
                Assert.Contains("카드로 결제할까요?", Text(await Say(user, "결제하기")), StringComparison.Ordinal);
            }));
        }

        var answers = await Task.WhenAll(users.Select(async user => Text(await Say(user, "결제하기"))));

        Assert.Equal(10, answers.Count(text => text.StartsWith("결제가 끝났어요", StringComparison.Ordinal)));
        Assert.Equal(40, answers.Count(text => text.Contains("품절", StringComparison.Ordinal)));
        var stock = _host.Store.BotData.Get("shop", "stock")!.Value;
        Assert.Equal(0, stock.GetProperty("달걀 10구").GetProperty("left").GetInt32());
        var orders = _host.Store.BotData.Keys("shop").Where(key => key.StartsWith("order:", StringComparison.Ordinal))
            .Select(key => _host.Store.BotData.Get("shop", key)!.Value).ToList();
        var payments = Payments.Payments("shop", 100);
        Assert.Equal(10, orders.Count);
        Assert.All(payments, payment => Assert.Equal(PaymentState.Approved, payment.State));
        Assert.Equal(
            payments.Select(p => p.PaymentId).Order(),
            orders.Select(order => order.GetProperty("paymentId").GetString()).Order());
    }

    [Fact]
    public async Task Products_offered_come_from_stock_and_follow_other_customers_orders()
    {
        RegisterCard("손님-1");
        Assert.Equal(["사과 1kg", "우유 1L", "달걀 10구", "처음으로"], Buttons(await Say("손님-1", "장보기")));
        await Say("손님-1", "우유 1L");
        for (var i = 0; i < 2; i++)
        {
            await Say("손님-1", "더 담기");
            await Say("손님-1", "우유 1L");
        }

        await Say("손님-1", "장바구니 보기");
        await Say("손님-1", "결제하기");
        Assert.StartsWith("결제가 끝났어요. 주문번호 1001번", Text(await Say("손님-1", "결제하기")), StringComparison.Ordinal);

        Assert.Equal(["사과 1kg", "달걀 10구", "처음으로"], Buttons(await Say("손님-2", "장보기")));
        var order = _host.Store.BotData.Get("shop", "order:1001")!.Value;
        Assert.Equal(8400, order.GetProperty("total").GetInt32());
        Assert.Equal("Visa ****4242", order.GetProperty("card").GetString());
    }

    [Fact]
    public async Task Stock_and_carts_survive_a_restart()
    {
        RegisterCard("손님-1");
        await Say("손님-1", "장보기");
        await Say("손님-1", "달걀 10구");
        await Say("손님-1", "장바구니 보기");
        await Say("손님-1", "결제하기");
        await Say("손님-1", "결제하기");

        await _host.RestartAsync();

        var stock = _host.Store.BotData.Get("shop", "stock")!.Value;
        Assert.Equal(9, stock.GetProperty("달걀 10구").GetProperty("left").GetInt32());
        Assert.Contains("1001번 4,200원 결제 완료", Text(await Say("손님-1", "주문 내역")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_turn_that_runs_past_the_reply_bound_keeps_no_order_and_no_charge()
    {
        RegisterCard("손님-1");
        await Say("손님-1", "장보기");
        await Say("손님-1", "달걀 10구");
        await Say("손님-1", "장바구니 보기");
        await Say("손님-1", "결제하기");
        await _host.RestartAsync(options => options with
        {
            ReplyTimeout = TimeSpan.FromSeconds(2),
            Stepper = (flow, session, turn, now, cancellation) =>
            {
                var runtime = _host.App.Services.GetRequiredService<FlowRuntime>();
                var result = runtime.Step(flow, session, turn, now, cancellation);
                if (turn.Content == "결제하기" && session.StepId == "pay")
                {
                    Thread.Sleep(3000); // the order is placed and charged, then the answer comes too late
                }

                return result;
            },
        });
        await Say("손님-2", "장보기"); // warms the script engine up after the restart

        Assert.Equal("일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.", Text(await Say("손님-1", "결제하기")));
        await Task.Delay(2000);

        var payment = Assert.Single(Payments.Payments("shop", 10));
        Assert.Equal((PaymentState.Refunded, "turn_failed"), (payment.State, payment.Code));
        Assert.Null(_host.Store.BotData.Get("shop", "order:1001"));

        // The carton the failed turn held goes back to stock once its hold expires without an order.
        Assert.Contains("(9개 남음)", Text(await Say("손님-3", "장보기")), StringComparison.Ordinal);
        _host.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Contains("(10개 남음)", Text(await Say("손님-3", "처음으로")) + Text(await Say("손님-3", "장보기")), StringComparison.Ordinal);
    }
}
