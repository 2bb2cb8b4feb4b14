using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KakaoFlow.Browser.Tests.Support;

namespace KakaoFlow.Browser.Tests;

/// <summary>
/// flows/shop end to end in the simulator, over HTTP without a browser: <c>pay.registerUrl()</c> links to the
/// registration page the simulator serves itself (the one of <c>serve</c>), and the card registered there pays.
/// </summary>
public sealed class SimPaymentTests : IAsyncLifetime
{
    private SimServer _server = null!;

    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await SimServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> Send(string user, string text)
    {
        using var response = await Http.PostAsJsonAsync("/_api/bots/shop/send", new { user, text });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user");
    }

    private static JsonElement LastBot(JsonElement user) =>
        user.GetProperty("entries").EnumerateArray().Last(entry => entry.GetProperty("kind").GetString() == "bot");

    private async Task<(HttpStatusCode Status, string Html)> PostForm(string url, string number)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["number"] = number, ["expiry"] = "12/30", ["holder"] = "홍길동" });
        using var response = await Http.PostAsync(new Uri(url), form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_card_registered_on_the_simulators_own_page_pays_for_an_order()
    {
        await Send("u1", "장보기");
        await Send("u1", "우유 1L");
        await Send("u1", "장바구니 보기");
        var asked = LastBot(await Send("u1", "결제하기"));
        var url = asked.GetProperty("link").GetProperty("url").GetString()!;
        Assert.StartsWith(_server.BaseUrl + "/shop/pay/register?t=", url, StringComparison.Ordinal);

        using (var page = await Http.GetAsync(new Uri(url)))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("결제 카드 등록", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var refused = await PostForm(url, "4242 4242 4242 4241");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        var (status, html) = await PostForm(url, "4242 4242 4242 4242");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Visa ****4242", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostForm(url, "4242 4242 4242 4242")).Status);

        Assert.Contains("Visa ****4242 카드로 결제할까요?", LastBot(await Send("u1", "등록했어요")).GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("결제가 끝났어요. 주문번호 1001번", LastBot(await Send("u1", "결제하기")).GetProperty("text").GetString(), StringComparison.Ordinal);

        // Another tab is another user, without the card; a reset user has none either.
        Assert.Contains("결제 카드가 아직 없어요", LastBot(await Send("u2", "결제 카드")).GetProperty("text").GetString(), StringComparison.Ordinal);
        using (var reset = await Http.PostAsJsonAsync("/_api/bots/shop/reset", new { user = "u1" }))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        Assert.Contains("결제 카드가 아직 없어요", LastBot(await Send("u1", "결제 카드")).GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
