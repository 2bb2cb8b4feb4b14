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
        // A test that failed half-way leaves its pages open (their event streams would hold the simulator's stop, their
        // memory the next tests'): the tests of this collection run one at a time, so every open context is this test's.
        foreach (var context in Browser.Browser.Contexts.ToList())
        {
            await context.CloseAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    internal Task<SimPage> OpenAsync(string bot) => SimPage.OpenAsync(Browser, Server, bot);
}
