using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Hosting;
using KakaoFlow.Hosting.Admin;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Hosting.Payments;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the KakaoFlow webhook host; map its endpoints with <c>MapKakaoFlow</c> and <c>MapKakaoFlowAdmin</c>.</summary>
public static class KakaoFlowServiceCollectionExtensions
{
    /// <summary>
    /// Registers everything the bots need except the store and the script engine: the app registers those itself
    /// (a store's <c>Add…Store</c> extension, which provides <see cref="ISessionStore"/>, <see cref="IFriendStore"/>,
    /// <see cref="IBotDataStore"/> and <see cref="IServiceStore"/>, and optionally <see cref="KakaoFlow.Payments.IPaymentStore"/>,
    /// without which hooks have no <c>pay</c>; and an <see cref="IScriptCompiler"/>, without which only flows without scripts
    /// compile). Payments use the app's <see cref="KakaoFlow.Payments.ICardGateway"/>, or the sandbox when it registers none
    /// (docs/commerce.md). <see cref="KakaoFlowOptions"/> are bound from the configuration section <c>KakaoFlow</c>, then
    /// <paramref name="configure"/> runs; they are validated when the host starts. The bots are compiled and their service
    /// states settled when the host starts, before it listens.
    /// </summary>
    public static IServiceCollection AddKakaoFlow(this IServiceCollection services, Action<KakaoFlowOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddOptionsAndDefaults(services, configure);
        AddConversations(services);
        AddServiceLifecycle(services);
        AddBackgroundServices(services);

        // Paths and methods that match no endpoint still answer the Kakao error JSON, not an empty 404/405.
        services.AddTransient<IStartupFilter, ErrorPagesStartupFilter>();
        return services;
    }

    private static void AddOptionsAndDefaults(IServiceCollection services, Action<KakaoFlowOptions>? configure)
    {
        var options = services.AddOptions<KakaoFlowOptions>().BindConfiguration(KakaoFlowOptions.Section).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KakaoFlowOptions>, KakaoFlowOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(IStoreHealth.AlwaysAvailable); // a store that can fail registers its own
        services.TryAddSingleton(new HostingSeams());

        // One host alone on its store unless the store's Add…Store registered its own (docs/scale-out.md).
        services.TryAddSingleton<IHostCoordination>(SingleHostCoordination.Instance);
        services.AddSingleton<StoreOutageLog>();
    }

    /// <summary>The bots (compiled from the flows folder), the runtime that steps them and the service that runs turns.</summary>
    private static void AddConversations(IServiceCollection services)
    {
        services.AddSingleton(provider => new FlowCompiler(provider.GetService<IScriptCompiler>()));
        services.AddSingleton(provider => BotCatalog.Load(
            provider.GetRequiredService<IOptions<KakaoFlowOptions>>().Value.FlowsDirectory,
            provider.GetRequiredService<FlowCompiler>(),
            provider.GetRequiredService<ILogger<BotCatalog>>()));
        services.AddSingleton(provider =>
        {
            var hookLog = new LoggerHookLog(provider.GetRequiredService<ILoggerFactory>().CreateLogger("KakaoFlow.Hooks"));
            var hooks = new HookServices(provider.GetRequiredService<IBotDataStore>(), hookLog) { Payments = provider.GetRequiredService<HostPayments>().Service };

            // ConversationService commits each turn's bot data with its session, and undoes a dropped turn's charges.
            return new FlowRuntime(hooks) { DefersCommit = true };
        });
        services.AddSingleton<ConversationService>();
        HostPayments.Register(services);
    }

    /// <summary>Service lifecycle (docs/operations.md): states, the error budget, the notification outbox and the admin tokens.</summary>
    private static void AddServiceLifecycle(IServiceCollection services)
    {
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<ServiceController>();
        services.AddSingleton<ErrorBudget>();
        services.AddSingleton<AdminTokens>();
        services.AddSingleton(provider => new BotViews(
            provider.GetRequiredService<BotCatalog>(),
            provider.GetRequiredService<ServiceController>(),
            provider.GetRequiredService<IServiceStore>(),
            provider.GetRequiredService<ISessionStore>(),
            provider.GetRequiredService<IStoreHealth>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AdminEndpoints>();
    }

    /// <summary>Order matters: the bots are compiled and their states settled before the others start and Kestrel listens.</summary>
    private static void AddBackgroundServices(IServiceCollection services)
    {
        services.AddHostedService<KakaoFlowStartup>();
        services.AddSingleton<SessionSweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<SessionSweeper>());
        services.AddSingleton<FlowWatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<FlowWatcher>());
        services.AddHostedService(provider => provider.GetRequiredService<NotificationDispatcher>());
        services.AddHostedService<ServiceStateRefresher>();
        services.AddSingleton<IdleMemoryTrim>();
        services.AddHostedService(provider => provider.GetRequiredService<IdleMemoryTrim>());
    }

    private sealed class LoggerHookLog(ILogger logger) : IHookLog
    {
        public void Write(string botId, SourceSpan location, string message) =>
            Log.HookLog(logger, botId, location.ToString(), message);
    }

    private sealed class ErrorPagesStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseStatusCodePages(context => KakaoEndpoints.WriteStatusPageAsync(context.HttpContext));
            next(app);
        };
    }
}
