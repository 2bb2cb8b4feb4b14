using System.Net;
using System.Text;
using KakaoFlow.Host.Tests.Support;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Host.Tests;

/// <summary>With a webhook secret set, a call without it changes nothing and gets 401 with the Kakao error JSON.</summary>
public sealed class WebhookSecretTests : IAsyncLifetime
{
    private const string Secret = "s3cret-pizza-0123456789";
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await TestHost.StartWithSamplesAsync(options => options with { WebhookSecret = Secret });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-secret-0123456789")]
    [InlineData("")]
    public async Task Every_changing_call_without_the_secret_is_401_and_touches_nothing(string? presented)
    {
        var calls = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Post, "/pizza/message", Json.Message("u-1", "text", "메뉴 보기")),
            (HttpMethod.Post, "/pizza/friend", Json.Friend("u-1")),
            (HttpMethod.Delete, "/pizza/friend/u-1", null),
            (HttpMethod.Delete, "/pizza/chat_room/u-1", null),
        };
        foreach (var (method, path, body) in calls)
        {
            using var response = await SendAsync(method, path, body, presented);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("""{"code":201,"message":"wrong api key: send the header X-KakaoFlow-Secret"}""", await response.Content.ReadAsStringAsync());
        }

        Assert.Null(_host.SessionOf("pizza", "u-1"));
        Assert.Null(_host.Store.Friends.Find("pizza", "u-1"));
    }

    [Fact]
    public async Task With_the_secret_every_call_is_answered_and_the_keyboard_needs_none()
    {
        using (var message = await SendAsync(HttpMethod.Post, "/pizza/message", Json.Message("u-2", "text", "메뉴 보기"), Secret))
        {
            Assert.Equal(HttpStatusCode.OK, message.StatusCode);
            Assert.Contains("불고기 피자", await message.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.NotNull(_host.SessionOf("pizza", "u-2"));
        using (var friend = await SendAsync(HttpMethod.Post, "/pizza/friend", Json.Friend("u-2"), Secret))
        {
            Assert.Equal(HttpStatusCode.OK, friend.StatusCode);
        }

        Assert.NotNull(_host.Store.Friends.Find("pizza", "u-2"));
        using var keyboard = await SendAsync(HttpMethod.Get, "/pizza/keyboard", null, null);
        Assert.Equal(HttpStatusCode.OK, keyboard.StatusCode);
    }

    [Fact]
    public async Task A_secret_too_short_to_be_safe_stops_the_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestHost.StartWithSamplesAsync(options => options with { WebhookSecret = "short" }));
        Assert.Contains("WebhookSecret", error.Message, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string? secret)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (secret is not null)
        {
            request.Headers.TryAddWithoutValidation("X-KakaoFlow-Secret", secret);
        }

        return _host.Http.SendAsync(request);
    }
}
