using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using KakaoFlow.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KakaoFlow.Browser.Tests;

/// <summary>With no internet the simulator still works: every request of its pages goes to the simulator itself.</summary>
public sealed class OfflineTests(BrowserFixture browser) : SimTest(browser)
{
    [Fact]
    public async Task The_pages_load_nothing_from_elsewhere_but_the_photos_in_replies()
    {
        // The pages' policy would block a script or style from elsewhere before it is asked for; without it, every
        // address the pages' files name is seen here.
        var page = await Browser.NewPageAsync(bypassCsp: true);
        var here = new ConcurrentQueue<string>();
        var elsewhere = new ConcurrentQueue<(string Type, string Url)>();
        await page.Context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(Server.BaseUrl + "/", StringComparison.Ordinal))
            {
                here.Enqueue(route.Request.Url);
                await route.ContinueAsync();
            }
            else
            {
                // As a machine with no internet answers: nothing.
                elsewhere.Enqueue((route.Request.ResourceType, route.Request.Url));
                await route.AbortAsync("internetdisconnected");
            }
        });

        await page.GotoAsync(Server.BaseUrl + "/");
        await Expect(page.GetByTestId("bot-status")).ToHaveCountAsync(3);
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "피자나라" }).ClickAsync();
        var sim = new SimPage(page);
        await Expect(sim.CurrentNode).ToHaveTextAsync("home");
        await sim.PressAsync("메뉴 보기", "menu");
        await Expect(sim.CurrentNode).ToHaveTextAsync("menu");
        // The reply's photo was asked for at its own address, found unreachable, and marked so; the page goes on.
        await Expect(sim.LastBotMessage.Locator("img")).ToHaveClassAsync(new Regex(@"\bbroken\b"));
        await Expect(sim.Buttons.First).ToHaveTextAsync("불고기 피자");

        Assert.Contains(here, url => url.EndsWith("/_sim/mermaid.min.js", StringComparison.Ordinal));
        Assert.Contains(here, url => url.EndsWith("/_sim/sim.css", StringComparison.Ordinal));
        Assert.Equal([("image", "https://pizzanara.example.com/images/menu.jpg")], elsewhere.Distinct());
    }
}
