using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using KakaoFlow.Compiling;
using KakaoFlow.Hosting;
using KakaoFlow.Hosting.Payments;
using KakaoFlow.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Cli.Sim;

/// <summary>
/// Composes <c>kakaoflow sim</c>: a small web app for the people who edit flows, never part of <c>serve</c>. The bots
/// are compiled and hot-reloaded by the same <see cref="BotCatalog"/> and <see cref="FlowWatcher"/> as <c>serve</c>,
/// and answered by the same runtime and hook sandbox, but users, sessions, bot data, cards and payments live in memory
/// (<see cref="SimUsers"/>) and each user's clock moves only when asked.
/// </summary>
public static class SimApp
{
    /// <summary>A saved file is compiled once no other file event came for this long.</summary>
    private static readonly TimeSpan WatchDebounce = TimeSpan.FromMilliseconds(100);

    /// <summary>The log category of the generic host itself (start, stop, a hosted service that failed).</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>Builds (does not start) the simulator; the bots are compiled here, before it listens.</summary>
    /// <param name="settings">What the command line asked for.</param>
    /// <param name="configure">Runs last, before the app is built (tests quiet the logs here).</param>
    public static WebApplication Build(SimSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = "kakaoflow-sim",
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        builder.WebHost.UseUrls(settings.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        // Open pages keep an event stream each; stopping must not wait for them.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // A failure to start (the address in use) is told by the command in one line; the host's own log of it is a
        // stack trace that people who edit flows need not read. Once started, the host logs as the rest of Microsoft.
        var started = new StrongBox<bool>();
        builder.Logging.AddFilter(HostCategory, level => Volatile.Read(ref started.Value) && level >= LogLevel.Warning);

        var options = new KakaoFlowOptions
        {
            FlowsDirectory = settings.FlowsDirectory,
            WatchDebounce = WatchDebounce,
            WatchPollInterval = settings.PollInterval,
        };
        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(new HostingSeams());
        services.AddSingleton(new FlowCompiler(settings.Scripts ?? ScriptEngine.CreateCompiler()));
        services.AddSingleton(provider => BotCatalog.Load(
            settings.FlowsDirectory,
            provider.GetRequiredService<FlowCompiler>(),
            provider.GetRequiredService<ILogger<BotCatalog>>()));
        services.AddHostedService<FlowWatcher>();
        AddPayments(services);
        services.AddSingleton(provider => new SimUsers(
            settings.ClockStart,
            new SimPayments(provider.GetRequiredService<HostPayments>().Service!, provider.GetRequiredService<TimeProvider>())));
        services.AddSingleton(SimAssets.Load(settings.Language));
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, SimJson.Default));

        configure?.Invoke(builder);
        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() => Volatile.Write(ref started.Value, true));
        app.Services.GetRequiredService<BotCatalog>();

        // What the simulator says in its answers (summaries, notes, the clock) is in the page's language.
        app.Use((context, next) =>
        {
            CultureInfo.CurrentUICulture = settings.Language;
            return next(context);
        });
        SimEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// <c>pay</c> as <c>serve</c> has it, with cards and payments in memory and the sandbox gateway: links point at the
    /// simulator, which serves the host's registration page. The signing key is made for this run (no file is written).
    /// </summary>
    private static void AddPayments(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IPaymentStore, InMemoryPaymentStore>();
        HostPayments.Register(services);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        services.PostConfigure<KakaoFlowPaymentOptions>(options => options.Secret = secret);
    }
}
