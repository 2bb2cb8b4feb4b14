using System.Net;
using System.Text;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store;

namespace KakaoFlow.Host.Tests;

/// <summary>Every endpoint of the auto-reply API (docs/kakao-api.md), with exact bodies, over real HTTP and a real LiteDB file.</summary>
public sealed class EndpointTests : PizzaHostTests
{
    private const string HomeKeyboard = """{"type":"buttons","buttons":["영업 시간","메뉴 보기"]}""";

    private static async Task AssertBodyAsync(HttpResponseMessage response, HttpStatusCode status, string expected)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(expected, Encoding.UTF8.GetString(bytes));
        Assert.Equal(Encoding.UTF8.GetBytes(expected), bytes);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Keyboard_answers_the_home_keyboard_in_utf8()
    {
        using var response = await Server.Http.GetAsync(new Uri("/pizza/keyboard", UriKind.Relative));
        await AssertBodyAsync(response, HttpStatusCode.OK, HomeKeyboard);
    }

    [Fact]
    public async Task Friend_and_chat_room_answer_the_success_body_byte_for_byte()
    {
        using (var added = await Server.PostJsonAsync("/pizza/friend", Json.Friend("user-1")))
        {
            await AssertBodyAsync(added, HttpStatusCode.OK, """{"code":0,"message":"SUCCESS"}""");
        }

        var record = Server.Store.Friends.Find("pizza", "user-1");
        Assert.Equal(FriendState.Friend, record?.State);
        Assert.Equal(TestHost.Start, record?.AddedAt);

        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        using (var blocked = await Server.Http.DeleteAsync(new Uri("/pizza/friend/user-1", UriKind.Relative)))
        {
            await AssertBodyAsync(blocked, HttpStatusCode.OK, """{"code":0,"message":"SUCCESS"}""");
        }

        record = Server.Store.Friends.Find("pizza", "user-1");
        Assert.Equal(FriendState.Blocked, record?.State);
        Assert.Equal(TestHost.Start.AddMinutes(1), record?.BlockedAt);
        Assert.Equal(TestHost.Start, record?.AddedAt);

        using var left = await Server.Http.DeleteAsync(new Uri("/pizza/chat_room/user-1", UriKind.Relative));
        await AssertBodyAsync(left, HttpStatusCode.OK, """{"code":0,"message":"SUCCESS"}""");
    }

    [Fact]
    public async Task A_whole_pizza_order_gets_exact_replies()
    {
        async Task Expect(string content, string body)
        {
            using var response = await Server.SendMessageAsync("pizza", "주문자", content);
            await AssertBodyAsync(response, HttpStatusCode.OK, body);
        }

        await Expect("영업 시간", """{"message":{"text":"매일 11시부터 22시까지 영업합니다."},"keyboard":""" + HomeKeyboard + "}");
        await Expect("메뉴 보기", """{"message":{"text":"오늘의 메뉴입니다.","photo":{"url":"https://example.com/menu.jpg","width":640,"height":480},"message_button":{"label":"전체 메뉴판","url":"https://example.com/menu"}},"keyboard":{"type":"buttons","buttons":["불고기 피자","처음으로"]}}""");
        await Expect("불고기 피자", """{"message":{"text":"불고기 피자의 크기를 골라 주세요."},"keyboard":{"type":"buttons","buttons":["레귤러","라지"]}}""");
        await Expect("곱빼기", """{"message":{"text":"아래 버튼 중에서 선택해 주세요."},"keyboard":{"type":"buttons","buttons":["레귤러","라지"]}}""");
        await Expect("레귤러", """{"message":{"text":"배달 받을 주소를 입력해 주세요."},"keyboard":{"type":"text"}}""");
        await Expect("서울시 강남구 테헤란로 1", """{"message":{"text":"불고기 피자 레귤러를 서울시 강남구 테헤란로 1(으)로 보낼까요? (18000원)"},"keyboard":{"type":"buttons","buttons":["주문하기","취소"]}}""");
        await Expect("주문하기", """{"message":{"text":"주문이 접수되었습니다."},"keyboard":""" + HomeKeyboard + "}");

        var session = Server.SessionOf("pizza", "주문자");
        Assert.NotNull(session);
        Assert.Equal(Session.HomeStepId, session.StepId);
        Assert.Equal("서울시 강남구 테헤란로 1", session.Vars["address"].GetString());
        Assert.Equal(18000, session.Vars["price"].GetDouble());
        Assert.Equal(TestHost.Start, session.LastMessageAt);
    }

    [Fact]
    public async Task A_photo_is_a_message_type()
    {
        await Server.MessageTextAsync("pizza", "사진", "메뉴 보기");
        using var response = await Server.SendMessageAsync("pizza", "사진", "https://example.com/p.jpg", type: "photo");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"keyboard\":{\"type\":\"buttons\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/nope/keyboard")]
    [InlineData("POST", "/nope/message")]
    [InlineData("POST", "/nope/friend")]
    [InlineData("DELETE", "/nope/friend/user-1")]
    [InlineData("DELETE", "/nope/chat_room/user-1")]
    public async Task An_unknown_bot_is_400_code_202(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST")
        {
            request.Content = new StringContent(Json.Message("user-1", "text", "안녕"), Encoding.UTF8, "application/json");
        }

        using var response = await Server.Http.SendAsync(request);
        await AssertBodyAsync(response, HttpStatusCode.BadRequest, """{"code":202,"message":"wrong bot url"}""");
    }

    [Fact]
    public async Task Unknown_paths_and_methods_still_get_the_error_json()
    {
        using (var notFound = await Server.Http.GetAsync(new Uri("/pizza/keyboard/extra", UriKind.Relative)))
        {
            await AssertBodyAsync(notFound, HttpStatusCode.NotFound, """{"code":100,"message":"not found"}""");
        }

        using var wrongMethod = await Server.Http.GetAsync(new Uri("/pizza/message", UriKind.Relative));
        await AssertBodyAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, """{"code":100,"message":"method not allowed"}""");
    }
}
