namespace KakaoFlow.Hosting;

/// <summary>
/// The webhook host's settings, bound from the configuration section <see cref="Section"/> and validated when the
/// host starts (<see cref="KakaoFlowOptionsValidator"/>). <c>kakaoflow serve</c> fills them from its command line and
/// the <c>KAKAOFLOW_*</c> environment variables.
/// </summary>
public sealed class KakaoFlowOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "KakaoFlow";

    /// <summary>Each subfolder with a <c>flow.yaml</c> is one bot; the folder name is the bot id and URL segment.</summary>
    public string FlowsDirectory { get; set; } = "flows";

    /// <summary>
    /// Wall-clock bound of one answer, waiting for the user's earlier messages included. Past it the user gets
    /// <c>messages.error</c> with the Home keyboard (the platform gives up at 5 s). Always measured on the real clock.
    /// </summary>
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How often sessions past their bot's <c>retention</c> are deleted (on the host's <see cref="TimeProvider"/>); at
    /// most 49 days. <see cref="Timeout.InfiniteTimeSpan"/> sweeps only at start-up.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// After a busy spell, once no turn came for this long, the host gives back to the OS the memory the .NET garbage
    /// collector kept for the rush (<see cref="IdleMemoryTrim"/>: one compacting collection, a few hundred ms with every
    /// thread stopped, when it holds 64 MiB or more beyond its live objects). Zero or <see cref="Timeout.InfiniteTimeSpan"/>
    /// (the default where an application hosts the bots with its own work) never does; <c>kakaoflow serve</c> uses 30 s.
    /// </summary>
    public TimeSpan IdleTrimAfter { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Largest webhook body accepted; larger ones get 400 (code 100) before the rest is read.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Most connections served at once (each open socket counts, idle keep-alive ones too); past it a new connection is
    /// closed at once. <c>kakaoflow serve</c> gives it to Kestrel.
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Hot reload: watch the flows folder and serve a changed bot's new version as soon as it compiles (a version
    /// with errors is logged and the last good one keeps serving).
    /// </summary>
    public bool Watch { get; set; } = true;

    /// <summary>A bot folder is reloaded once no file event has come for this long (several quick saves: one reload).</summary>
    public TimeSpan WatchDebounce { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Every bot folder is also looked at this often, in case a file event was lost.</summary>
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>An http(s) URL that receives monitoring messages; null: they go to the log only.</summary>
    public Uri? NotifyUrl { get; set; }

    /// <summary>First retry delay of an undelivered monitoring message; it doubles per attempt (real clock).</summary>
    public TimeSpan NotifyRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest delay between two delivery attempts.</summary>
    public TimeSpan NotifyMaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the notifier looks at the outbox when nothing wakes it.</summary>
    public TimeSpan NotifyPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most errors one user can count toward a bot's daily budget (Asia/Seoul day); the rest are logged. The budget
    /// is for the bot's own failures: without a cap, a few senders could stop a bot for everyone.
    /// </summary>
    public int ErrorsPerUserPerDay { get; set; } = 10;

    /// <summary>How many error details each bot keeps (the latest).</summary>
    public int RecentErrorsKept { get; set; } = 50;

    /// <summary>The owner's admin token; null: one generated at first start and kept in <see cref="AdminTokenFile"/>.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Where a generated owner token is kept (created with mode 600). Default: <c>kakaoflow.admin-token</c>.</summary>
    public string AdminTokenFile { get; set; } = Admin.AdminTokenFile.Name;

    /// <summary>
    /// A shared secret every webhook call must carry in the header <c>X-KakaoFlow-Secret</c> (both the auto-reply
    /// platform and an Open Builder skill can send custom headers); without it, or with another value, the call gets 401
    /// and touches nothing. <c>GET keyboard</c> is exempt: it reads nothing private and changes nothing. Null: no secret.
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The operator's admin token; null: no operator (nobody can block or unblock).</summary>
    public string? OperatorToken { get; set; }
}
