using System.Net;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Host.Tests;

/// <summary>Sessions in LiteDB through the webhook: isolation, expiry, retention, restarts, friend and chat_room events.</summary>
public sealed class SessionTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(
        new Dictionary<string, string> { ["pizza"] = Flows.Pizza },
        options => WithSweepInterval(options, TimeSpan.FromHours(1)));

    private static TestHostOptions WithSweepInterval(TestHostOptions options, TimeSpan interval) =>
        options with { SweepInterval = interval };

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task OrderUpToAddressAsync(string user)
    {
        await _host.MessageTextAsync("pizza", user, "메뉴 보기");
        await _host.MessageTextAsync("pizza", user, "불고기 피자");
        await _host.MessageTextAsync("pizza", user, "레귤러");
        Assert.Equal("address", _host.SessionOf("pizza", user)?.StepId);
    }

    [Fact]
    public async Task Users_do_not_see_each_others_position_or_variables()
    {
        await OrderUpToAddressAsync("철수");

        var other = await _host.MessageTextAsync("pizza", "영희", "레귤러");
        Assert.Contains("아래 버튼 중에서 선택해 주세요.", other, StringComparison.Ordinal);
        Assert.Contains("""["영업 시간","메뉴 보기"]""", other, StringComparison.Ordinal);

        await _host.MessageTextAsync("pizza", "영희", "메뉴 보기");
        await _host.MessageTextAsync("pizza", "영희", "불고기 피자");
        await _host.MessageTextAsync("pizza", "영희", "라지");
        var confirm = await _host.MessageTextAsync("pizza", "영희", "부산시 해운대구 1");
        Assert.Contains("불고기 피자 라지를 부산시 해운대구 1(으)로", confirm, StringComparison.Ordinal);

        var mine = await _host.MessageTextAsync("pizza", "철수", "서울시 종로구 1");
        Assert.Contains("불고기 피자 레귤러를 서울시 종로구 1(으)로", mine, StringComparison.Ordinal);
        Assert.Equal("부산시 해운대구 1", _host.SessionOf("pizza", "영희")!.Vars["address"].GetString());
        Assert.Equal("서울시 종로구 1", _host.SessionOf("pizza", "철수")!.Vars["address"].GetString());
    }

    [Fact]
    public async Task The_context_expires_after_context_ttl_on_the_flow_clock()
    {
        await _host.MessageTextAsync("pizza", "user-ttl", "메뉴 보기");
        await _host.MessageTextAsync("pizza", "user-ttl", "불고기 피자");

        _host.Clock.Advance(TimeSpan.FromMinutes(9));
        var stillThere = await _host.MessageTextAsync("pizza", "user-ttl", "영업 시간");
        Assert.Contains("아래 버튼 중에서 선택해 주세요.", stillThere, StringComparison.Ordinal);

        _host.Clock.Advance(TimeSpan.FromMinutes(10));
        var home = await _host.MessageTextAsync("pizza", "user-ttl", "영업 시간");
        Assert.Contains("매일 11시부터 22시까지 영업합니다.", home, StringComparison.Ordinal);

        var session = _host.SessionOf("pizza", "user-ttl")!;
        Assert.Equal("불고기 피자", session.Vars["item"].GetString());
        Assert.Equal(TestHost.Start.AddMinutes(19), session.LastMessageAt);
    }

    [Fact]
    public async Task Sessions_past_retention_are_swept_in_the_background_and_friends_are_kept()
    {
        await OrderUpToAddressAsync("user-old");
        using (await _host.PostJsonAsync("/pizza/friend", Json.Friend("user-old")))
        {
        }

        using (await _host.PostJsonAsync("/pizza/friend", Json.Friend("user-gone")))
        {
        }

        using (await _host.Http.DeleteAsync(new Uri("/pizza/friend/user-gone", UriKind.Relative)))
        {
        }

        _host.Clock.Advance(TimeSpan.FromDays(29));
        await _host.MessageTextAsync("pizza", "user-recent", "메뉴 보기");
        var sweeper = _host.App.Services.GetRequiredService<SessionSweeper>();

        // Past 30 days for user-old (29 days + the steps below), not for user-recent.
        _host.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        await Lifecycle.EventuallyAsync(() => _host.SessionOf("pizza", "user-old") is null, "the sweep to delete user-old", seconds: 10);

        Assert.NotNull(_host.SessionOf("pizza", "user-recent"));
        Assert.Equal(FriendState.Friend, _host.Store.Friends.Find("pizza", "user-old")?.State);
        Assert.Null(_host.Store.Friends.Find("pizza", "user-gone"));
        Assert.True(sweeper.Sweeps >= 2);

        // A swept user starts afresh: no address, no item.
        await _host.MessageTextAsync("pizza", "user-old", "메뉴 보기");
        Assert.False(_host.SessionOf("pizza", "user-old")!.Vars.ContainsKey("item"));
    }

    [Fact]
    public async Task A_session_past_retention_but_not_yet_swept_starts_afresh()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["pizza"] = Flows.Pizza },
            options => WithSweepInterval(options, Timeout.InfiniteTimeSpan));
        await host.MessageTextAsync("pizza", "user-late", "메뉴 보기");
        await host.MessageTextAsync("pizza", "user-late", "불고기 피자");
        host.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        Assert.NotNull(host.SessionOf("pizza", "user-late"));

        var reply = await host.MessageTextAsync("pizza", "user-late", "메뉴 보기");
        Assert.Contains("오늘의 메뉴입니다.", reply, StringComparison.Ordinal);
        Assert.False(host.SessionOf("pizza", "user-late")!.Vars.ContainsKey("item"));
    }

    [Fact]
    public async Task A_restart_on_the_same_file_keeps_every_acknowledged_session()
    {
        await OrderUpToAddressAsync("user-restart");
        await _host.MessageTextAsync("pizza", "user-other", "메뉴 보기");

        await _host.RestartAsync();

        var confirm = await _host.MessageTextAsync("pizza", "user-restart", "대구시 중구 1");
        Assert.Contains("불고기 피자 레귤러를 대구시 중구 1(으)로 보낼까요? (18000원)", confirm, StringComparison.Ordinal);
        var other = await _host.MessageTextAsync("pizza", "user-other", "불고기 피자");
        Assert.Contains("불고기 피자의 크기를 골라 주세요.", other, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocking_and_adding_again_keeps_the_variables()
    {
        await OrderUpToAddressAsync("user-friend");
        var before = _host.SessionOf("pizza", "user-friend");

        using (var blocked = await _host.Http.DeleteAsync(new Uri("/pizza/friend/user-friend", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, blocked.StatusCode);
        }

        Assert.Equal(FriendState.Blocked, _host.Store.Friends.Find("pizza", "user-friend")?.State);
        using (var added = await _host.PostJsonAsync("/pizza/friend", Json.Friend("user-friend")))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        Assert.Equal(FriendState.Friend, _host.Store.Friends.Find("pizza", "user-friend")?.State);
        SessionAssert.Same(before, _host.SessionOf("pizza", "user-friend"));

        var confirm = await _host.MessageTextAsync("pizza", "user-friend", "광주시 1");
        Assert.Contains("불고기 피자 레귤러를 광주시 1(으)로", confirm, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_the_chat_room_resets_the_position_and_keeps_the_variables()
    {
        await OrderUpToAddressAsync("user-room");
        var before = _host.SessionOf("pizza", "user-room")!;

        using (var left = await _host.Http.DeleteAsync(new Uri("/pizza/chat_room/user-room", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        }

        var after = _host.SessionOf("pizza", "user-room")!;
        Assert.Equal(Session.HomeStepId, after.StepId);
        Assert.Equal(SessionAssert.Vars(before), SessionAssert.Vars(after));
        Assert.Equal(before.LastMessageAt, after.LastMessageAt);

        // The next message is matched against Home, not taken as the address.
        var reply = await _host.MessageTextAsync("pizza", "user-room", "영업 시간");
        Assert.Contains("매일 11시부터 22시까지 영업합니다.", reply, StringComparison.Ordinal);
        Assert.Equal("레귤러", _host.SessionOf("pizza", "user-room")!.Vars["size"].GetString());
    }

    [Fact]
    public async Task A_user_key_in_the_url_is_percent_decoded_exactly_once()
    {
        // Kestrel leaves %2F encoded in the path (everything else it decodes): the user of a%2Fb is a/b.
        await OrderUpToAddressAsync("a/b");
        await OrderUpToAddressAsync("a%2Fb");
        using (var left = await _host.Http.DeleteAsync(new Uri("/pizza/chat_room/a%2Fb", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        }

        Assert.Equal(Session.HomeStepId, _host.SessionOf("pizza", "a/b")!.StepId);
        Assert.Equal("address", _host.SessionOf("pizza", "a%2Fb")!.StepId);

        // Decoded once, not twice: %252F is the literal user a%2Fb.
        using (var left = await _host.Http.DeleteAsync(new Uri("/pizza/chat_room/a%252Fb", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        }

        Assert.Equal(Session.HomeStepId, _host.SessionOf("pizza", "a%2Fb")!.StepId);

        using (var blocked = await _host.Http.DeleteAsync(new Uri("/pizza/friend/%EC%B2%A0%2F%EC%88%98", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, blocked.StatusCode);
        }

        Assert.Equal(FriendState.Blocked, _host.Store.Friends.Find("pizza", "철/수")?.State);
        Assert.Null(_host.Store.Friends.Find("pizza", "철%2F수"));
    }

    [Fact]
    public async Task Deleting_the_chat_room_of_an_unknown_user_creates_nothing()
    {
        using var left = await _host.Http.DeleteAsync(new Uri("/pizza/chat_room/nobody", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        Assert.Null(_host.SessionOf("pizza", "nobody"));
    }
}
