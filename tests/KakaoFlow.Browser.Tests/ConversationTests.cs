using KakaoFlow.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KakaoFlow.Browser.Tests;

/// <summary>Talking to the pizza bot on the simulator page as an editor would: clicks, typing, the clock, a reset.</summary>
public sealed class ConversationTests(BrowserFixture browser) : SimTest(browser)
{
    private const string Address = "서울시 마포구 월드컵로 12, 301호";
    private static readonly string[] HomeButtons = ["메뉴 보기", "영업 시간", "매장 안내", "이벤트"];

    [Fact]
    public async Task A_full_pizza_order_by_clicks_and_typing()
    {
        var sim = await OpenAsync("pizza");

        await Expect(sim.Buttons).ToHaveTextAsync(HomeButtons);
        await Expect(sim.CurrentNode).ToHaveTextAsync("home");

        await sim.PressAsync("메뉴 보기", "menu");
        var menu = sim.LastBotMessage;
        await Expect(menu).ToContainTextAsync("오늘의 메뉴입니다. 주문할 피자를 골라 주세요.");
        await Expect(menu.Locator("img")).ToHaveAttributeAsync("src", "https://pizzanara.example.com/images/menu.jpg");
        await Expect(menu.Locator("a")).ToHaveAttributeAsync("href", "https://pizzanara.example.com/menu");
        await Expect(menu.Locator("a")).ToHaveTextAsync("전체 메뉴판");
        await Expect(sim.CurrentNode).ToHaveTextAsync("menu");

        // As in KakaoTalk: the user's bubble on the right, the bot's (after its picture) on the left.
        var mine = (await sim.UserMessages.Last.BoundingBoxAsync())!;
        var bots = (await menu.BoundingBoxAsync())!;
        Assert.True(mine.X > bots.X && mine.X + mine.Width > bots.X + bots.Width, $"user bubble {mine.X}+{mine.Width}, bot bubble {bots.X}+{bots.Width}");

        await sim.PressAsync("불고기 피자", "size");
        await Expect(sim.LastBotMessage).ToHaveTextAsync("불고기 피자의 크기를 골라 주세요. 라지는 4,000원이 추가돼요.");
        await sim.PressAsync("레귤러", "consent");
        await sim.PressAsync("동의합니다", "address");
        await Expect(sim.Buttons).ToHaveCountAsync(0);
        await Expect(sim.TextInput).ToBeVisibleAsync();
        await Expect(sim.CurrentNode).ToHaveTextAsync("address");

        await sim.TypeAsync(Address, "confirm", botMessagesAfter: 5);
        await Expect(sim.LastBotMessage).ToContainTextAsync($"주소: {Address}");
        await Expect(sim.Buttons).ToHaveTextAsync(["주문하기", "주소 다시 입력", "취소"]);

        await sim.PressAsync("주문하기", "home");
        await Expect(sim.LastBotMessage).ToContainTextAsync("주문이 접수되었습니다.");
        await Expect(sim.Buttons).ToHaveTextAsync(HomeButtons);
        await Expect(sim.UserMessages).ToHaveTextAsync(["메뉴 보기", "불고기 피자", "레귤러", "동의합니다", Address, "주문하기"]);
        await Expect(sim.CurrentNode).ToHaveTextAsync("home");

        var vars = await sim.VarsAsync();
        Assert.Equal("불고기 피자", vars.GetProperty("item").GetString());
        Assert.Equal(18000, vars.GetProperty("price").GetInt32());
        Assert.Equal("레귤러", vars.GetProperty("size").GetString());
        Assert.Equal(0, vars.GetProperty("extra").GetInt32());
        Assert.Equal(Address, vars.GetProperty("address").GetString());
        await sim.CloseAsync();
    }

    [Fact]
    public async Task A_typed_address_is_checked_and_retried()
    {
        var sim = await OpenAsync("pizza");
        await sim.ToAddressAsync("불고기 피자", "라지");

        await sim.TypeAsync("마포구", "address", botMessagesAfter: 5);
        await Expect(sim.LastBotMessage).ToHaveTextAsync("주소가 너무 짧아요. 동·호수까지 다시 입력해 주세요.");
        await Expect(sim.TextInput).ToBeVisibleAsync();
        Assert.False((await sim.VarsAsync()).TryGetProperty("address", out _));

        await sim.TypeAsync(Address, "confirm", botMessagesAfter: 6);
        await Expect(sim.LastBotMessage).ToContainTextAsync("메뉴: 불고기 피자 (라지)");
        Assert.Equal(Address, (await sim.VarsAsync()).GetProperty("address").GetString());
        await sim.CloseAsync();
    }

    [Fact]
    public async Task Ten_minutes_on_the_clock_send_the_user_back_to_home()
    {
        var sim = await OpenAsync("pizza");
        await sim.PressAsync("메뉴 보기", "menu");
        await sim.PressAsync("불고기 피자", "size");

        await sim.Page.GetByTestId("clock-forward-1m").ClickAsync();
        await Expect(sim.Page.Locator("#clock")).ToHaveTextAsync("2026-01-05 (월) 10:01 KST");
        await Expect(sim.Step).ToHaveTextAsync("size");

        await sim.Page.GetByTestId("clock-forward-10m").ClickAsync();
        await Expect(sim.Step).ToHaveTextAsync("home");
        await Expect(sim.Buttons).ToHaveTextAsync(HomeButtons);
        await Expect(sim.CurrentNode).ToHaveTextAsync("home");
        await Expect(sim.Page.Locator(".entry.note").Last).ToContainTextAsync("처음 화면으로 돌아가요");

        // The runtime agrees: the next message is answered from Home, the variables kept.
        await sim.PressAsync("영업 시간", "home");
        await Expect(sim.LastBotMessage).ToContainTextAsync("매일 오전 11시부터 오후 10시까지 영업합니다.");
        Assert.Equal("불고기 피자", (await sim.VarsAsync()).GetProperty("item").GetString());

        await sim.Page.GetByTestId("clock-forward-1d").ClickAsync();
        await Expect(sim.Page.Locator("#clock")).ToHaveTextAsync("2026-01-06 (화) 10:11 KST");
        await Expect(sim.Page.Locator(".entry.note").Filter(new LocatorFilterOptions { HasText = "시계 +1d → 2026-01-06 (화) 10:11 KST" })).ToHaveCountAsync(1);
        await sim.CloseAsync();
    }

    [Fact]
    public async Task Reset_makes_a_new_user_with_no_variables_at_home()
    {
        var sim = await OpenAsync("pizza");
        await sim.PressAsync("메뉴 보기", "menu");
        await sim.PressAsync("치즈 피자", "size");
        await Expect(sim.Vars).ToContainTextAsync("치즈 피자");

        await sim.Page.GetByTestId("reset").ClickAsync();

        await Expect(sim.Step).ToHaveTextAsync("home");
        await Expect(sim.Vars).ToHaveTextAsync("{}");
        await Expect(sim.BotMessages).ToHaveCountAsync(0);
        await Expect(sim.Buttons).ToHaveTextAsync(HomeButtons);
        await sim.CloseAsync();
    }

    [Fact]
    public async Task A_photo_is_sent_by_its_url_where_a_step_asks_for_one()
    {
        var sim = await OpenAsync("faq");
        await Expect(sim.Page.GetByTestId("photo-url")).ToBeHiddenAsync();
        await sim.PressAsync("교환·반품", "home/교환·반품");
        // An inline step by its path, as `kakaoflow test` names it in the bot's transcripts.
        Assert.Contains("  step: home/교환·반품\n", File.ReadAllText(Path.Combine(Repo.Root, "flows", "faq", "tests", "returns.verified.txt")).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        await sim.PressAsync("상품 불량·파손", "home/교환·반품/상품 불량·파손");
        await sim.PressAsync("사진 보내기", "defect_photo");

        await sim.Page.GetByTestId("photo-url").FillAsync("https://example.com/broken-box.jpg");
        await sim.Page.GetByTestId("send-photo").ClickAsync();

        await Expect(sim.Step).ToHaveTextAsync("home");
        await Expect(sim.UserMessages.Last.Locator("img")).ToHaveAttributeAsync("src", "https://example.com/broken-box.jpg");
        await Expect(sim.LastBotMessage).ToContainTextAsync("사진을 받았어요.");
        Assert.Equal("https://example.com/broken-box.jpg", (await sim.VarsAsync()).GetProperty("defect_photo_url").GetString());
        await sim.CloseAsync();
    }

    [Fact]
    public async Task The_list_shows_every_bot_with_its_check_status()
    {
        Directory.CreateDirectory(Server.BotFolder("broken"));
        await File.WriteAllTextAsync(Path.Combine(Server.BotFolder("broken"), "flow.yaml"), "name: 고장\nhome:\n  - 가기: { goto: nowhere }\n");
        var page = await Browser.NewPageAsync();

        await page.GotoAsync(Server.BaseUrl + "/", new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded });

        var statuses = page.GetByTestId("bot-status");
        await Expect(statuses).ToHaveCountAsync(4);
        await Expect(page.Locator(".bot-card").Filter(new LocatorFilterOptions { HasText = "피자나라" }).GetByTestId("bot-status")).ToContainTextAsync("정상");
        await Expect(page.Locator(".bot-card").Filter(new LocatorFilterOptions { HasText = "broken" }).GetByTestId("bot-status")).ToContainTextAsync("시작할 수 없어요");
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "동네마트" }).ClickAsync();
        await Expect(page.GetByTestId("current-step")).ToHaveTextAsync("home");
        await page.Context.CloseAsync();
    }
}
