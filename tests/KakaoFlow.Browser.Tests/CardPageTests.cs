using KakaoFlow.Browser.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace KakaoFlow.Browser.Tests;

/// <summary>The shop's card link, clicked in the simulator: the registration page opens from the simulator itself.</summary>
public sealed class CardPageTests(BrowserFixture browser) : SimTest(browser)
{
    [Fact]
    public async Task The_card_link_opens_the_registration_page_and_the_card_is_seen_in_the_chat()
    {
        var sim = await OpenAsync("shop");
        await sim.PressAsync("결제 카드", "card");
        await Expect(sim.LastBotMessage).ToContainTextAsync("결제 카드가 아직 없어요");

        var page = await sim.Page.Context.RunAndWaitForPageAsync(() => sim.LastBotMessage.Locator("a").ClickAsync());
        await Expect(page.Locator("h1")).ToHaveTextAsync("동네마트 결제 카드 등록");
        await page.Locator("input[name=number]").FillAsync("4242 4242 4242 4242");
        await page.Locator("input[name=expiry]").FillAsync("12/30");
        await page.Locator("input[name=holder]").FillAsync("홍길동");
        await page.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("카드를 등록했어요");
        await Expect(page.Locator("body")).ToContainTextAsync("Visa ****4242");
        await page.CloseAsync();

        await sim.Button("등록했어요").ClickAsync();
        await Expect(sim.LastBotMessage).ToContainTextAsync("Visa ****4242 카드를 등록했어요");
        await sim.CloseAsync();
    }
}
