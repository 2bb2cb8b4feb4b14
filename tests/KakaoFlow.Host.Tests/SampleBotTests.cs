using System.Net;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>The repository's sample bots served as <c>kakaoflow serve</c> serves them, with their js checks.</summary>
public sealed class SampleBotTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartWithSamplesAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Every_sample_bot_is_served()
    {
        foreach (var bot in Directory.GetDirectories(Path.Combine(TestHost.RepoRoot, "flows")).Select(Path.GetFileName))
        {
            using var response = await _host.Http.GetAsync(new Uri($"/{bot}/keyboard", UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{bot}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_pizza_order_on_the_sample_bot()
    {
        using (var keyboard = await _host.Http.GetAsync(new Uri("/pizza/keyboard", UriKind.Relative)))
        {
            Assert.Equal("""{"type":"buttons","buttons":["메뉴 보기","영업 시간","매장 안내","이벤트"]}""", await keyboard.Content.ReadAsStringAsync());
        }

        Assert.Contains("\"photo\":{\"url\":\"https://pizzanara.example.com/images/menu.jpg\",\"width\":640,\"height\":480}", await Say("메뉴 보기"), StringComparison.Ordinal);
        Assert.Contains("불고기 피자의 크기를 골라 주세요.", await Say("불고기 피자"), StringComparison.Ordinal);
        Assert.Contains("동의하시나요?", await Say("라지"), StringComparison.Ordinal);
        Assert.Contains("\"keyboard\":{\"type\":\"text\"}", await Say("동의합니다"), StringComparison.Ordinal);

        // The js check (value.length >= 5) refuses a short address and keeps the text keyboard.
        var retry = await Say("집");
        Assert.Equal("""{"message":{"text":"주소가 너무 짧아요. 동·호수까지 다시 입력해 주세요."},"keyboard":{"type":"text"}}""", retry);

        var confirm = await Say("서울시 마포구 월드컵로 12, 301호");
        Assert.Contains("메뉴: 불고기 피자 (라지)\\n주소: 서울시 마포구 월드컵로 12, 301호\\n금액: 18000원 + 크기 추가 4000원", confirm, StringComparison.Ordinal);
        Assert.Contains("주문이 접수되었습니다.", await Say("주문하기"), StringComparison.Ordinal);
    }

    private Task<string> Say(string content) => _host.MessageTextAsync("pizza", "sample-user", content);
}
