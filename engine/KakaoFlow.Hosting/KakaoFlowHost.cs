using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Hosting.Admin;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Runtime;
using KakaoFlow.Scripting;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

/// <summary>Builds the webhook host: Kestrel, the five Kakao endpoints per bot, the LiteDB store, the sweeper and hot reload.</summary>
public static class KakaoFlowHost
{
    /// <summary>
    /// Builds (does not start) the app. Compiles every bot now, logging diagnostics in the <c>check</c> format.
    /// Disposing the app disposes the LiteDB store (checkpoint and close).
    /// </summary>
    public static WebApplication Build(KakaoFlowHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SweepInterval != Timeout.InfiniteTimeSpan
            && (options.SweepInterval <= TimeSpan.Zero || options.SweepInterval > TimeSpan.FromDays(49)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SweepInterval, "SweepInterval must be positive and at most 49 days, or infinite.");
        }

        if (options.WatchDebounce < TimeSpan.Zero || options.WatchDebounce > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WatchDebounce, "WatchDebounce must be between 0 and 10 seconds.");
        }

        if (options.WatchPollInterval <= TimeSpan.Zero || options.WatchPollInterval > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WatchPollInterval, "WatchPollInterval must be positive and at most a day.");
        }

        if (options.ReplyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ReplyTimeout, "ReplyTimeout must be positive.");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(KakaoFlowHost).Assembly.GetName().Name,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });

        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });

        // Graceful shutdown (SIGTERM, Ctrl+C): Kestrel stops accepting, in-flight requests finish within this
        // time, then the service provider disposes the store, which checkpoints and closes the LiteDB file.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));

        builder.Logging.ClearProviders();
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(console =>
            {
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                console.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }

        // ASP.NET Core's own request logs print the URL, and DELETE URLs carry the user_key: keep them quiet.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Its request-start/finish events are Information, and while it logs at any level it also creates an Activity
        // and a log scope per request (issue 8). Exceptions are logged by our endpoints and by Kestrel, not by it.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        options.ConfigureLogging?.Invoke(builder.Logging);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.Clock);
        // One LiteDB file for the process; the rest of the host sees only the store interfaces.
        builder.Services.AddSingleton(services =>
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LiteDbStore).FullName!);
            var store = new LiteDbStore(options.DataFile, options.Sessions with { FlushFailed = e => Log.SessionFlushFailed(logger, e) });
            if (store.RecoveredSessionWrites + store.UnreadableJournalRecords > 0)
            {
                Log.SessionJournalReplayed(logger, store.RecoveredSessionWrites, store.UnreadableJournalRecords);
            }

            return store;
        });
        builder.Services.AddSingleton(services => services.GetRequiredService<LiteDbStore>().Sessions);
        builder.Services.AddSingleton(services => services.GetRequiredService<LiteDbStore>().Friends);
        builder.Services.AddSingleton<IBotDataStore>(services => services.GetRequiredService<LiteDbStore>().BotData);
        builder.Services.AddSingleton(services => new FlowCompiler(options.ScriptCompiler));
        builder.Services.AddSingleton(services => BotCatalog.Load(
            options.FlowsDirectory,
            services.GetRequiredService<FlowCompiler>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BotCatalog).FullName!)));
        builder.Services.AddSingleton(services =>
        {
            var hookLog = new LoggerHookLog(services.GetRequiredService<ILoggerFactory>().CreateLogger("KakaoFlow.Hooks"));
            return new FlowRuntime(new HookServices(services.GetRequiredService<IBotDataStore>(), hookLog));
        });
        builder.Services.AddSingleton<ConversationService>();
        builder.Services.AddSingleton<SessionSweeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SessionSweeper>());
        if (options.Watch)
        {
            builder.Services.AddSingleton<FlowWatcher>();
            builder.Services.AddHostedService(services => services.GetRequiredService<FlowWatcher>());
        }

        // Service lifecycle (DESIGN.md): states, the error budget, the notification outbox and the admin API.
        builder.Services.AddSingleton<NotificationDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NotificationDispatcher>());
        builder.Services.AddSingleton<ServiceController>();
        builder.Services.AddSingleton<ErrorBudget>();
        builder.Services.AddSingleton<AdminTokens>();

        var app = builder.Build();

        // Open the store (creating collections and indexes) and compile the bots before the first request.
        app.Services.GetRequiredService<LiteDbStore>();
        app.Services.GetRequiredService<BotCatalog>();

        // Decide the state of bots seen for the first time (stored states win), and settle the admin tokens.
        app.Services.GetRequiredService<ServiceController>().Initialize();
        app.Services.GetRequiredService<AdminTokens>();

        app.UseStatusCodePages(context => KakaoEndpoints.WriteStatusPageAsync(context.HttpContext));
        KakaoEndpoints.Map(app);
        AdminEndpoints.Map(app);
        return app;
    }

    private sealed class LoggerHookLog(ILogger logger) : IHookLog
    {
        public void Write(string botId, SourceSpan location, string message) =>
            Log.HookLog(logger, botId, location.ToString(), message);
    }
}
