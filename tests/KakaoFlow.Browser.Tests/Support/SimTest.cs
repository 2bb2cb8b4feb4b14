using System.Globalization;

namespace KakaoFlow.Browser.Tests.Support;

/// <summary>A browser test with its own <c>kakaoflow sim</c> over a fresh copy of the sample bots.</summary>
[Collection(BrowserCollection.Name)]
public abstract class SimTest(BrowserFixture browser) : IAsyncLifetime
{
    private SimServer? _server;

    protected BrowserFixture Browser { get; } = browser;

    internal SimServer Server => _server ?? throw new InvalidOperationException("the simulator is not started");

    /// <summary>The simulator's language (what <c>kakaoflow sim --lang</c> chooses): Korean unless a test class says.</summary>
    protected virtual CultureInfo Language => CultureInfo.GetCultureInfo("ko");

    public virtual async Task InitializeAsync() => _server = await SimServer.StartAsync(Language);

    public virtual async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    internal Task<SimPage> OpenAsync(string bot) => SimPage.OpenAsync(Browser, Server, bot);
}
