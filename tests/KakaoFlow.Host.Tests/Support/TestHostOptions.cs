using KakaoFlow.Compiling;
using KakaoFlow.Hosting;
using KakaoFlow.Runtime;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>
/// What a test changes in the host it starts, written as <c>options with { … }</c>: applied to the host's
/// <see cref="KakaoFlowOptions"/> and to its internal test seams (<see cref="HostingSeams"/>).
/// </summary>
internal sealed record TestHostOptions
{
    // Generous, so that a loaded CI machine does not turn a slow first Jint run into messages.error;
    // the tests of the bound set their own.
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan SweepInterval { get; init; } = new KakaoFlowOptions().SweepInterval;
    public bool Watch { get; init; } = true;
    public TimeSpan WatchPollInterval { get; init; } = new KakaoFlowOptions().WatchPollInterval;
    public Uri? NotifyUrl { get; init; }
    public TimeSpan NotifyRetryDelay { get; init; } = new KakaoFlowOptions().NotifyRetryDelay;
    public TimeSpan NotifyMaxRetryDelay { get; init; } = new KakaoFlowOptions().NotifyMaxRetryDelay;
    public string? AdminToken { get; init; }
    public string? OperatorToken { get; init; }
    public string? WebhookSecret { get; init; }
    public int ErrorsPerUserPerDay { get; init; } = new KakaoFlowOptions().ErrorsPerUserPerDay;
    public int MaxConnections { get; init; } = new KakaoFlowOptions().MaxConnections;

    public bool WatchFileEvents { get; init; } = true;
    public Func<CompiledFlow, Session, Turn, DateTimeOffset, CancellationToken, StepResult>? Stepper { get; init; }

    /// <summary>Replaces the store's health as the host sees it (an outage the store itself does not have).</summary>
    public KakaoFlow.Storage.IStoreHealth? StoreHealth { get; init; }

    public void ApplyTo(KakaoFlowOptions options)
    {
        options.ReplyTimeout = ReplyTimeout;
        options.SweepInterval = SweepInterval;
        options.Watch = Watch;
        options.WatchPollInterval = WatchPollInterval;
        options.NotifyUrl = NotifyUrl;
        options.NotifyRetryDelay = NotifyRetryDelay;
        options.NotifyMaxRetryDelay = NotifyMaxRetryDelay;
        options.AdminToken = AdminToken;
        options.OperatorToken = OperatorToken;
        options.WebhookSecret = WebhookSecret;
        options.ErrorsPerUserPerDay = ErrorsPerUserPerDay;
        options.MaxConnections = MaxConnections;
    }

    public HostingSeams Seams => new() { Stepper = Stepper, WatchFileEvents = WatchFileEvents };
}
