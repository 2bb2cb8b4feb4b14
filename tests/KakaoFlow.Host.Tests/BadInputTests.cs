using System.Net;
using System.Text;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// Each bad webhook input gets 400 with the Kakao error JSON, the user's session is untouched and the server
/// keeps serving: the same user's next good message continues where they were.
/// </summary>
public sealed class BadInputTests : PizzaHostTests
{
    private const string User = "user-bad";

    public static TheoryData<string, string, string?, int> Bodies => new()
    {
        // name, body, content type, expected code
        { "malformed JSON", """{"user_key":"user-bad","type":"text","content":""", "application/json", 100 },
        { "empty body", "", "application/json", 100 },
        { "not an object", """["user-bad","text","레귤러"]""", "application/json", 100 },
        { "null", "null", "application/json", 100 },
        { "user_key a number", """{"user_key":42,"type":"text","content":"레귤러"}""", "application/json", 100 },
        { "content a number", """{"user_key":"user-bad","type":"text","content":7}""", "application/json", 100 },
        { "type null", """{"user_key":"user-bad","type":null,"content":"레귤러"}""", "application/json", 100 },
        { "content an object", """{"user_key":"user-bad","type":"text","content":{"text":"레귤러"}}""", "application/json", 100 },
        { "missing user_key", """{"type":"text","content":"레귤러"}""", "application/json", 100 },
        { "missing type", """{"user_key":"user-bad","content":"레귤러"}""", "application/json", 100 },
        { "missing content", """{"user_key":"user-bad","type":"text"}""", "application/json", 100 },
        { "empty user_key", """{"user_key":"","type":"text","content":"레귤러"}""", "application/json", 100 },
        { "duplicate field", """{"user_key":"user-bad","type":"text","content":"레귤러","content":"라지"}""", "application/json", 100 },
        { "lone surrogate", """{"user_key":"user-bad","type":"text","content":"\ud800"}""", "application/json", 100 },
        { "deep nesting", """{"user_key":"user-bad","type":"text","content":"레귤러","x":""" + new string('[', 100) + new string(']', 100) + "}", "application/json", 100 },
        { "unsupported type video", """{"user_key":"user-bad","type":"video","content":"https://x/v.mp4"}""", "application/json", 400 },
        { "unsupported type TEXT", """{"user_key":"user-bad","type":"TEXT","content":"레귤러"}""", "application/json", 400 },
        { "text/plain", """{"user_key":"user-bad","type":"text","content":"레귤러"}""", "text/plain", 100 },
        { "form", "user_key=user-bad&type=text&content=x", "application/x-www-form-urlencoded", 100 },
        { "no content type", """{"user_key":"user-bad","type":"text","content":"레귤러"}""", null, 100 },
        { "charset euc-kr", """{"user_key":"user-bad","type":"text","content":"레귤러"}""", "application/json; charset=euc-kr", 100 },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_bad_message_is_refused_and_the_session_is_untouched(string name, string body, string? contentType, int code)
    {
        var user = await SizeStepUser.OnMessageAsync(Server, User);

        using var response = await Server.PostRawAsync("/pizza/message", body, contentType);
        await AssertRefusedAsync(response, code, name);
        await user.AssertUntouchedAndServingAsync();
    }

    [Fact]
    public async Task Invalid_utf8_is_refused()
    {
        var user = await SizeStepUser.OnMessageAsync(Server, User);
        var bytes = Encoding.UTF8.GetBytes("""{"user_key":"user-bad","type":"text","content":"X"}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;

        using var response = await Server.PostRawAsync("/pizza/message", bytes, "application/json");
        await AssertRefusedAsync(response, 100, "invalid UTF-8");
        await user.AssertUntouchedAndServingAsync();
    }

    [Fact]
    public async Task An_over_large_body_with_a_length_is_refused_before_it_is_read()
    {
        var user = await SizeStepUser.OnMessageAsync(Server, User);
        var big = Json.Message(User, "text", new string('가', 30_000)); // 90 KB of UTF-8

        using var response = await Server.PostJsonAsync("/pizza/message", big);
        await AssertRefusedAsync(response, 100, "over-large");
        await user.AssertUntouchedAndServingAsync();
    }

    [Fact]
    public async Task An_over_large_chunked_body_is_refused()
    {
        var user = await SizeStepUser.OnMessageAsync(Server, User);
        var bytes = Encoding.UTF8.GetBytes(Json.Message(User, "text", new string('a', 200_000)));
        var response = await ChunkedPost.SendAsync(Server.Http, "/pizza/message", bytes);
        if (response is not null)
        {
            await AssertRefusedAsync(response, 100, "over-large chunked");
            response.Dispose();
        }

        await user.AssertUntouchedAndServingAsync();
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_accepted()
    {
        await SizeStepUser.OnMessageAsync(Server, User);
        var padding = 64 * 1024 - Encoding.UTF8.GetByteCount(Json.Message(User, "text", ""));
        var body = Json.Message(User, "text", new string('a', padding));
        Assert.Equal(64 * 1024, Encoding.UTF8.GetByteCount(body));

        using var response = await Server.PostJsonAsync("/pizza/message", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("아래 버튼 중에서 선택해 주세요.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"user_key":1}""")]
    [InlineData("""{}""")]
    [InlineData("{\"user_key\":\"\"}")]
    public async Task A_bad_friend_body_is_refused(string body)
    {
        using var response = await Server.PostJsonAsync("/pizza/friend", body);
        await AssertRefusedAsync(response, 100, body);
        Assert.Null(Server.Store.Friends.Find("pizza", "1"));
    }

    [Fact]
    public async Task A_user_key_with_control_characters_is_refused_in_the_url()
    {
        using var response = await Server.Http.DeleteAsync(new Uri("/pizza/chat_room/a%01b", UriKind.Relative));
        await AssertRefusedAsync(response, 100, "control character");
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, int code, string name)
    {
        var body = await Refusals.AssertBadRequestAsync(response, name);
        Assert.StartsWith($$"""{"code":{{code}},"message":""", body, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
    }
}
