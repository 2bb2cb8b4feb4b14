using System.Text.Json;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// The chat-commerce sample over HTTP: its keyboard of products is made by a hook from the bot's
/// <c>data</c> (stock in LiteDB), so one customer's order changes another customer's buttons.
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

    [Fact]
    public async Task Products_offered_come_from_stock_in_data_and_follow_other_customers_orders()
    {
        var first = await Say("손님-1", "장보기");
        Assert.Equal(["사과 1kg", "우유 1L", "달걀 10구", "처음으로"], Buttons(first));
        Assert.Contains("- 우유 1L 2,800원", Text(first), StringComparison.Ordinal);

        // 손님-1 registers the demo card and buys all three cartons of milk.
        await Say("손님-1", "처음으로");
        await Say("손님-1", "결제 카드");
        await Say("손님-1", "테스트 카드로 등록");
        await Say("손님-1", "장보기");
        await Say("손님-1", "우유 1L");
        for (var i = 0; i < 2; i++)
        {
            await Say("손님-1", "더 담기");
            await Say("손님-1", "우유 1L");
        }

        Assert.Contains("우유 1L × 3 = 8,400원", Text(await Say("손님-1", "장바구니 보기")), StringComparison.Ordinal);
        Assert.Contains("8,400원을 결제할까요?", Text(await Say("손님-1", "결제하기")), StringComparison.Ordinal);
        Assert.Equal("결제가 끝났어요. 주문번호 1001번, 1시간 안에 배달해 드릴게요.", Text(await Say("손님-1", "결제하기")));

        var second = await Say("손님-2", "장보기");
        Assert.Equal(["사과 1kg", "달걀 10구", "처음으로"], Buttons(second));
        Assert.Equal("아래 버튼 중에서 선택해 주세요.", Text(await Say("손님-2", "우유 1L")));

        var stock = _host.Store.BotData.Get("shop", "stock")!.Value;
        Assert.Equal(0, stock.GetProperty("우유 1L").GetProperty("left").GetInt32());
        var order = _host.Store.BotData.Get("shop", "order:1001")!.Value;
        Assert.Equal(8400, order.GetProperty("total").GetInt32());
        Assert.Equal("tok_test_4242", order.GetProperty("card").GetString());
    }

    [Fact]
    public async Task Stock_survives_a_restart()
    {
        await Say("손님-1", "장보기");
        await Say("손님-1", "달걀 10구");

        await _host.RestartAsync();

        var stock = _host.Store.BotData.Get("shop", "stock")!.Value;
        Assert.Equal(10, stock.GetProperty("달걀 10구").GetProperty("left").GetInt32());
        Assert.Contains("달걀 10구 × 1 = 4,200원", Text(await Say("손님-1", "장바구니 보기")), StringComparison.Ordinal);
    }
}
