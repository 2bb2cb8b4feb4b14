using Microsoft.Playwright;

namespace KakaoFlow.Browser.Tests.Support;

/// <summary>
/// One headless Chromium for all browser tests: the system's (apt package <c>chromium</c>), driven by the Playwright
/// driver shipped inside the NuGet package. Nothing is downloaded; the flags keep Chromium off the network.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where the browser is: <c>$KAKAOFLOW_CHROMIUM</c>, or Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("KAKAOFLOW_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        // Without these Chromium reaches for Google's services, and the closed network here refuses it.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"no Chromium at {ChromiumPath}: install it with `apt-get install chromium fonts-noto-cjk` (.ci/run does) or set KAKAOFLOW_CHROMIUM");
        }

        // A loaded 2-core CI machine: wait generously for what the page shows, never sleep.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Args = ChromiumArgs,
            Headless = true,
            Timeout = 60_000,
        });
    }

    /// <summary>A fresh browser context (its own sessionStorage, so its own simulated user) at a desktop size.</summary>
    /// <param name="bypassCsp">Ignore the page's Content-Security-Policy, to see every request its files would make.</param>
    public async Task<IPage> NewPageAsync(bool bypassCsp = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "ko-KR",
            TimezoneId = "Asia/Seoul",
            BypassCSP = bypassCsp,
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    /// <summary>Every browser test shares one Chromium and runs one at a time (two cores, shared).</summary>
    public const string Name = "browser";
}
