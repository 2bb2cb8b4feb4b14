using KakaoFlow.Hosting.Admin;
using KakaoFlow.Hosting.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace KakaoFlow.Hosting;

/// <summary>
/// Runs first when the host starts: compiles every bot (logging diagnostics in the <c>check</c> format), decides the
/// service state of bots seen for the first time (a stored state wins), and settles the admin tokens, so the first
/// request finds all of it ready and a store that cannot be opened stops the start.
/// </summary>
internal sealed class KakaoFlowStartup(BotCatalog catalog, ServiceController services, AdminTokens tokens) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = catalog.Flows;
        services.Initialize();
        _ = tokens.TokenFile;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
