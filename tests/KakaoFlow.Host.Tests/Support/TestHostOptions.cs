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
    public TimeSpan NotifyPollInterval { get; init; } = new KakaoFlowOptions().NotifyPollInterval;
    public string? AdminToken { get; init; }
    public string? OperatorToken { get; init; }
    public string? WebhookSecret { get; init; }
    public int ErrorsPerUserPerDay { get; init; } = new KakaoFlowOptions().ErrorsPerUserPerDay;
    public int MaxConnections { get; init; } = new KakaoFlowOptions().MaxConnections;

    // Off unless a test turns it on (`serve` sets 30 s): the clock the tests move by days would collect again and again.
    public TimeSpan IdleTrimAfter { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Replaces the garbage collector as the idle trim sees it.</summary>
    public IManagedMemory? Memory { get; init; }

    /// <summary>The Redis store to share with other hosts (docs/scale-out.md); null: the LiteDB file in the test's folder.</summary>
    public KakaoFlow.Store.Redis.RedisStoreOptions? Redis { get; init; }

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
        options.NotifyPollInterval = NotifyPollInterval;
        options.AdminToken = AdminToken;
        options.OperatorToken = OperatorToken;
        options.WebhookSecret = WebhookSecret;
        options.ErrorsPerUserPerDay = ErrorsPerUserPerDay;
        options.MaxConnections = MaxConnections;
        options.IdleTrimAfter = IdleTrimAfter;
    }

    public HostingSeams Seams => new() { Stepper = Stepper, WatchFileEvents = WatchFileEvents, Memory = Memory };
}
