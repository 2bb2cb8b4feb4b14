namespace KakaoFlow.Host.Tests.Support;

/// <summary>A test class whose every test gets a host of its own serving the pizza bot (<see cref="TestHost.StartPizzaAsync"/>).</summary>
public abstract class PizzaHostTests : IAsyncLifetime
{
    private TestHost? _server;

    private protected TestHost Server => _server ?? throw new InvalidOperationException("the host starts in InitializeAsync");

    public async Task InitializeAsync() => _server = await TestHost.StartPizzaAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
