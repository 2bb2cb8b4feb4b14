using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KakaoFlow.Browser.Tests.Support;

/// <summary>One bot's simulator page, seen through the <c>data-testid</c> hooks the README documents.</summary>
internal sealed class SimPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Buttons => Page.GetByTestId("keyboard-button");

    public ILocator BotMessages => Page.GetByTestId("bot-message");

    public ILocator UserMessages => Page.GetByTestId("user-message");

    public ILocator Step => Page.GetByTestId("current-step");

    public ILocator Vars => Page.GetByTestId("vars");

    public ILocator TextInput => Page.GetByTestId("text-input");

    public ILocator Notice => Page.GetByTestId("reload-notice");

    public ILocator Diagnostics => Page.GetByTestId("diagnostics");

    /// <summary>The diagram's node of the current step.</summary>
    public ILocator CurrentNode => Page.GetByTestId("graph").Locator("g.node.current");

    public static async Task<SimPage> OpenAsync(BrowserFixture browser, SimServer server, string bot)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{server.BaseUrl}/{bot}", new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
        var sim = new SimPage(page);
        await Expect(sim.Step).ToHaveTextAsync("home");
        return sim;
    }

    public ILocator Button(string label) =>
        Buttons.Filter(new LocatorFilterOptions { HasTextRegex = new Regex("^" + Regex.Escape(label) + "$") });

    /// <summary>Presses a button of the current keyboard and waits until the page shows the step it leads to.</summary>
    public async Task PressAsync(string label, string expectedStep)
    {
        await Button(label).ClickAsync();
        await Expect(Step).ToHaveTextAsync(expectedStep);
    }

    /// <summary>Types into the text box and sends, then waits for the step the answer leads to.</summary>
    public async Task TypeAsync(string text, string expectedStep, int botMessagesAfter)
    {
        await TextInput.FillAsync(text);
        await Page.GetByTestId("send").ClickAsync();
        await Expect(BotMessages).ToHaveCountAsync(botMessagesAfter);
        await Expect(Step).ToHaveTextAsync(expectedStep);
    }

    /// <summary>Pizza bot: from Home through the menu, a size and the consent, to the address question.</summary>
    public async Task ToAddressAsync(string pizza, string size)
    {
        await PressAsync("메뉴 보기", "menu");
        await PressAsync(pizza, "size");
        await PressAsync(size, "consent");
        await PressAsync("동의합니다", "address");
    }

    public async Task<JsonElement> VarsAsync()
    {
        using var document = JsonDocument.Parse(await Vars.TextContentAsync() ?? "");
        return document.RootElement.Clone();
    }

    public ILocator LastBotMessage => BotMessages.Last;

    public async Task CloseAsync() => await Page.Context.CloseAsync();
}
