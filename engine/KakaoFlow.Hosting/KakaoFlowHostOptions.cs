using KakaoFlow.Compiling;
using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using KakaoFlow.Scripting;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

/// <summary>Everything the webhook host needs; <c>kakaoflow serve</c> fills it from the command line, tests directly.</summary>
public sealed record KakaoFlowHostOptions
{
    public const string DefaultUrls = "http://127.0.0.1:5080";
    public const string DefaultFlowsDirectory = "flows";
    public const string DefaultDataFile = "kakaoflow.litedb";

    /// <summary>Each subfolder with a <c>flow.yaml</c> is one bot; the folder name is the bot id and URL segment.</summary>
    public string FlowsDirectory { get; init; } = DefaultFlowsDirectory;

    /// <summary>The LiteDB file (its write-ahead log is the same name with <c>-log</c> before the extension).</summary>
    public string DataFile { get; init; } = DefaultDataFile;

    /// <summary>How often buffered session writes go from the journal to LiteDB, and how many sessions stay in memory.</summary>
    public SessionStoreOptions Sessions { get; init; } = new();

    /// <summary>Kestrel addresses, separated by <c>;</c>. Port 0 picks a free port (tests).</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>The flow clock: message times, context expiry and the retention sweep. Tests pass a FakeTimeProvider.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The JavaScript engine for <c>js:</c> hooks and <c>check:</c>; null compiles only flows without scripts.</summary>
    public IScriptCompiler? ScriptCompiler { get; init; }

    /// <summary>
    /// Wall-clock bound of one <c>/message</c> answer, waiting for the user's earlier messages included. Past it the
    /// user gets <c>messages.error</c> with the Home keyboard (the platform allows 5 s; it says "no response" at 10 s).
    /// Always measured on the real clock, not <see cref="Clock"/>.
    /// </summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How often sessions past their bot's <c>retention</c> are deleted (on <see cref="Clock"/>); at most 49 days.
    /// <see cref="Timeout.InfiniteTimeSpan"/> sweeps only at start-up.
    /// </summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest webhook body accepted; larger ones get 400 (code 100) before the rest is read.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Console logs as one JSON object per line (for log collectors) instead of readable lines.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>
    /// Hot reload: watch the flows folder and serve a changed bot's new version as soon as it compiles (a version
    /// with errors is logged and the last good one keeps serving). <c>kakaoflow serve --no-watch</c> turns it off.
    /// </summary>
    public bool Watch { get; init; } = true;

    /// <summary>A bot folder is reloaded once no file event has come for this long (several quick saves: one reload).</summary>
    public TimeSpan WatchDebounce { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Every bot folder is also looked at this often, in case a file event was lost.</summary>
    public TimeSpan WatchPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Extra logging set-up (tests capture logs here).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Test seam: false ignores file events, so only the poll finds changes (as when events are lost).</summary>
    internal bool WatchFileEvents { get; init; } = true;

    /// <summary>Webhook that receives monitoring messages (<c>--notify-url</c>); null: they go to the log only.</summary>
    public Uri? NotifyUrl { get; init; }

    /// <summary>First retry delay of an undelivered monitoring message; it doubles per attempt (real clock).</summary>
    public TimeSpan NotifyRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest delay between two delivery attempts.</summary>
    public TimeSpan NotifyMaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the notifier looks at the outbox when nothing wakes it.</summary>
    public TimeSpan NotifyPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many error details each bot keeps (the latest).</summary>
    public int RecentErrorsKept { get; init; } = 50;

    /// <summary>
    /// The owner's admin token; null: <c>KAKAOFLOW_ADMIN_TOKEN</c>, else one generated at first start and kept in
    /// <c>kakaoflow.admin-token</c> next to <see cref="DataFile"/>.
    /// </summary>
    public string? AdminToken { get; init; }

    /// <summary>The operator's admin token; null: <c>KAKAOFLOW_OPERATOR_TOKEN</c>, else no operator (no block/unblock).</summary>
    public string? OperatorToken { get; init; }

    /// <summary>Test seam: replaces <see cref="FlowRuntime.Step"/> (e.g. a step that hangs).</summary>
    internal Func<CompiledFlow, Session, Turn, DateTimeOffset, CancellationToken, StepResult>? Stepper { get; init; }
}
