using KakaoFlow.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KakaoFlow.Browser.Tests;

/// <summary>
/// The screenshots in docs/ (Home, a deep step, a save with an error), taken from the real page. They go to a temporary
/// folder on every run; with <c>KAKAOFLOW_UPDATE_SCREENSHOTS=1</c> they replace the ones in docs/.
/// </summary>
public sealed class ScreenshotTests(BrowserFixture browser) : SimTest(browser)
{
    private static readonly bool Update = Environment.GetEnvironmentVariable("KAKAOFLOW_UPDATE_SCREENSHOTS") == "1";

    private readonly string _folder = Update ? Path.Combine(Repo.Root, "docs") : Directory.CreateTempSubdirectory("kakaoflow-shots-").FullName;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (!Update)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task Shoot(SimPage sim, string name)
    {
        // Mermaid has drawn and lit the current step; the chat has scrolled to its end.
        await Expect(sim.CurrentNode).ToHaveCountAsync(1);
        var path = Path.Combine(_folder, name);
        await sim.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        Assert.True(new FileInfo(path).Length > 20_000, $"{path} looks empty");
    }

    [Fact]
    public async Task Home_a_deep_step_and_a_saved_error()
    {
        var sim = await OpenAsync("pizza");
        await Shoot(sim, "sim-home.png");

        await sim.ToAddressAsync("고구마 피자", "라지");
        await sim.TypeAsync("서울시 마포구 월드컵로 12, 301호", "confirm", botMessagesAfter: 5);
        await Shoot(sim, "sim-deep-step.png");

        Server.Edit("pizza", "  - 레귤러: { set: { size: 레귤러, extra: 0 }, goto: consent }", "  - 레귤러: { set: { size: 레귤러, extra: 0 }, goto: consnet }");
        await Expect(sim.Diagnostics.Locator("li.error")).ToHaveCountAsync(1);
        await Expect(sim.Notice).ToContainTextAsync("이전 버전");
        await Shoot(sim, "sim-saved-error.png");
        await sim.CloseAsync();
    }
}
