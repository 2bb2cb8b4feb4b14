using KakaoFlow.Hooks;
using KakaoFlow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Cli.Serve;

/// <summary>
/// Composes the <c>serve</c> app: Kestrel and logging, the KakaoFlow host (<c>AddKakaoFlow</c>, its endpoints and the
/// admin API), the store (the LiteDB file, or Redis shared by several hosts) and the Jint script engine. Tests build the same app with their own extras.
/// </summary>
public static class ServeApp
{
    /// <summary>Builds (does not start) the app; disposing it closes the store cleanly.</summary>
    /// <param name="settings">What the command line asked for.</param>
    /// <param name="configure">Runs last, before the app is built (tests replace the clock or add log sinks here).</param>
    public static WebApplication Build(ServeSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = "kakaoflow",
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
        builder.WebHost.UseUrls(settings.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<KakaoFlowOptions>>((kestrel, options) => SetLimits(kestrel.Limits, options.Value));

        // Graceful shutdown (SIGTERM, Ctrl+C): Kestrel stops accepting, in-flight requests finish within this time,
        // then the container disposes the store, which flushes, checkpoints and closes the LiteDB file.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        ConfigureLogging(builder.Logging, settings.JsonLogs);

        // A server process of its own gives back what a rush left behind once quiet (docs/operations.md, "After a rush").
        // Set before AddKakaoFlow binds the configuration, so that KakaoFlow__IdleTrimAfter still changes it.
        builder.Services.Configure<KakaoFlowOptions>(options => options.IdleTrimAfter = IdleTrimAfter);
        builder.Services.AddKakaoFlow();
        if (settings.Redis is { } redis)
        {
            builder.Services.AddRedisStore(redis);
        }
        else
        {
            builder.Services.AddLiteDbStore(settings.DataFile, options => options.Durability = settings.Durability);
        }
        if (settings.Scripts is not null)
        {
            builder.Services.AddSingleton(settings.Scripts);
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapKakaoFlow();
        app.MapKakaoFlowAdmin();
        return app;
    }

    /// <summary>How long <c>serve</c> waits for quiet before it gives memory back (<see cref="KakaoFlowOptions.IdleTrimAfter"/>).</summary>
    public static readonly TimeSpan IdleTrimAfter = TimeSpan.FromSeconds(30);

    /// <summary>Kestrel's defaults suit browsers; a webhook host talks to a few fast servers (docs/serving.md, "Limits").</summary>
    private static void SetLimits(KestrelServerLimits limits, KakaoFlowOptions options)
    {
        limits.MaxRequestBodySize = options.MaxBodyBytes;
        limits.MaxConcurrentConnections = options.MaxConnections;

        // A connection trickling its headers is closed 5 s after it started (Kestrel: 30 s), and its memory freed.
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
        limits.MaxRequestHeadersTotalSize = 16 * 1024;

        // A body (at most MaxBodyBytes) arrives in one go from the platform; a slow one is cut off.
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 4096, gracePeriod: TimeSpan.FromSeconds(3));

        // Longer than the 60 s idle timeout of common proxies and load balancers, so that they, not we, close an
        // idle connection (a close racing their next request would fail it); shorter than Kestrel's 130 s.
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(75);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, bool json)
    {
        logging.ClearProviders();
        if (json)
        {
            logging.AddJsonConsole(console =>
            {
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                console.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }

        // ASP.NET Core's own request logs print the URL, and DELETE URLs carry the user_key: keep them quiet.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // While it logs at any level, hosting also creates an Activity and a log scope per request; exceptions are
        // logged by our endpoints and by Kestrel, not by it.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }
}
