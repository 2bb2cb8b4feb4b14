using System.Diagnostics;
using KakaoFlow.Browser.Tests.Support;
using KakaoFlow.Cli;
using static Microsoft.Playwright.Assertions;

namespace KakaoFlow.Browser.Tests;

/// <summary>Saving a bot's file while its simulator page is open: the page says so, and the next turn uses what was saved.</summary>
public sealed class ReloadTests(BrowserFixture browser) : SimTest(browser)
{
    private const string Hours = "매일 오전 11시부터 오후 10시까지 영업합니다.";

    [Fact]
    public async Task A_save_changes_the_reply_on_the_page_without_a_reload()
    {
        var sim = await OpenAsync("pizza");
        await sim.PressAsync("영업 시간", "home");
        await Expect(sim.LastBotMessage).ToContainTextAsync(Hours);
        await sim.Page.EvaluateAsync("() => { window.kakaoflowTestMark = 42; }");

        var saved = Stopwatch.StartNew();
        Server.Edit("pizza", Hours, "이번 주는 쉬어요. 다음 주 월요일에 만나요.");

        await Expect(sim.Notice).ToContainTextAsync("새 버전");
        // Well within a second on an idle machine; the bound only leaves room for a loaded CI box.
        Assert.True(saved.Elapsed < TimeSpan.FromSeconds(10), $"the page saw the save after {saved.Elapsed}");
        await sim.Button("영업 시간").ClickAsync();
        await Expect(sim.BotMessages).ToHaveCountAsync(2);
        await Expect(sim.LastBotMessage).ToContainTextAsync("이번 주는 쉬어요. 다음 주 월요일에 만나요.");
        Assert.Equal(42, await sim.Page.EvaluateAsync<int>("() => window.kakaoflowTestMark"));
        await sim.CloseAsync();
    }

    [Fact]
    public async Task A_save_with_an_error_shows_the_diagnostics_and_the_old_version_keeps_answering()
    {
        var sim = await OpenAsync("pizza");

        Server.Edit("pizza", "매장 안내: { goto: store }", "매장 안내: { goto: stroe }");

        var check = new StringWriter();
        Assert.Equal(1, await CommandLine.RunAsync(["check", Server.BotFolder("pizza"), "--lang", Language.TwoLetterISOLanguageName], check, new StringWriter()));
        var expected = check.ToString().ReplaceLineEndings("\n").Split('\n')[0];
        var line = Array.FindIndex(File.ReadAllLines(Server.FlowFile("pizza")), l => l.Contains("goto: stroe", StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"{Server.FlowFile("pizza")}:{line}:", expected, StringComparison.Ordinal);
        Assert.Contains("error KF010", expected, StringComparison.Ordinal);
        await Expect(sim.Diagnostics.Locator("li.error")).ToHaveTextAsync([expected]);
        await Expect(sim.Notice).ToContainTextAsync("오류 1개");
        await Expect(sim.Notice).ToContainTextAsync("이전 버전");

        // The last good version answers: the button still leads to the store.
        await sim.PressAsync("매장 안내", "store");
        await Expect(sim.LastBotMessage).ToContainTextAsync("피자나라 망원점은");

        Server.Edit("pizza", "매장 안내: { goto: stroe }", "매장 안내: { goto: store }");
        await Expect(sim.Notice).ToContainTextAsync("새 버전");
        await Expect(sim.Diagnostics.Locator("li")).ToHaveCountAsync(0);
        await sim.CloseAsync();
    }
}
