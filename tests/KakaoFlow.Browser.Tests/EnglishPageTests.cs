using System.Globalization;
using KakaoFlow.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KakaoFlow.Browser.Tests;

/// <summary>The simulator in English (<c>kakaoflow sim --lang en</c>, or an English locale): the page's words, and what it says in the conversation.</summary>
public sealed class EnglishPageTests(BrowserFixture browser) : SimTest(browser)
{
    protected override CultureInfo Language => CultureInfo.GetCultureInfo("en");

    [Fact]
    public async Task The_bot_page_speaks_English_while_the_bot_speaks_its_own_Korean()
    {
        var sim = await OpenAsync("pizza");

        await Expect(sim.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(sim.Page).ToHaveTitleAsync("피자나라 · KakaoFlow simulator");
        await Expect(sim.Page.Locator(".inspector h2").First).ToHaveTextAsync("Current step");
        await Expect(sim.Page.GetByTestId("reset")).ToHaveTextAsync("Start again as a new user");
        await Expect(sim.Page.Locator("#status-line")).ToContainTextAsync("ok · version ");
        await Expect(sim.Page.Locator(".entry.note")).ToHaveTextAsync("This is the start. Press a button below to begin the conversation.");

        await sim.PressAsync("메뉴 보기", "menu");
        await Expect(sim.LastBotMessage).ToContainTextAsync("오늘의 메뉴입니다.");
        await sim.Page.GetByTestId("clock-forward-1m").ClickAsync();
        await Expect(sim.Page.Locator("#clock")).ToHaveTextAsync("2026-01-05 (Mon) 10:01 KST");
        await Expect(sim.Page.Locator(".entry.note").Last).ToHaveTextAsync("clock +1m → 2026-01-05 (Mon) 10:01 KST");

        await sim.Page.GetByTestId("reset").ClickAsync();
        await Expect(sim.Page.Locator(".entry.note").Last).ToHaveTextAsync("starting again as a new user.");
        await sim.Page.Locator("#graph-zoom").ClickAsync();
        await Expect(sim.Page.Locator("#graph-zoom")).ToHaveTextAsync("Show all");
        await sim.CloseAsync();
    }

    [Fact]
    public async Task A_saved_mistake_is_told_in_English()
    {
        var sim = await OpenAsync("pizza");

        Server.Edit("pizza", "매장 안내: { goto: store }", "매장 안내: { goto: stroe }");

        await Expect(sim.Notice).ToContainTextAsync("saved · 1 error(s): the earlier version");
        await Expect(sim.Page.Locator("#status-line")).ToContainTextAsync("the saved file has 1 error(s)");
        await sim.CloseAsync();
    }

    [Fact]
    public async Task The_list_of_bots_is_English()
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(Server.BaseUrl + "/");

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("h1")).ToHaveTextAsync("KakaoFlow simulator");
        await Expect(page.Locator(".bot-card").Filter(new LocatorFilterOptions { HasText = "피자나라" }).GetByTestId("bot-status")).ToContainTextAsync("ok · version");
        await page.Context.CloseAsync();
    }
}
