using System.Collections.Concurrent;
using KakaoFlow.Compiling;
using KakaoFlow.Hosting.ApiTest;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting.Lifecycle;

/// <summary>Who changed a service state (stored as <c>by</c>).</summary>
internal static class Actors
{
    public const string Auto = "serve";
    public const string Errors = "error-budget";
    public const string Owner = "owner";
    public const string Operator = "operator";
}

/// <summary>The outcome of an admin action: an HTTP status, a message for people, the state after it.</summary>
internal sealed record ServiceActionResult(int Status, string Message, ServiceRecord? State, IReadOnlyList<ApiCheck>? Checks = null);

/// <summary>
/// The service state of every bot (docs/design.md, "Service lifecycle"): stored in LiteDB <c>services</c>, the source
/// of truth; cached in memory because every <c>/message</c> asks whether its bot is running.
/// </summary>
/// <remarks>
/// <para>
/// A bot seen for the first time (at start-up, or later if the catalog gains it) is decided once and stored:
/// <c>running</c> when it passes the API TEST and has <c>privacy_consent: true</c> and <c>monitor.phone</c>,
/// otherwise <c>not-started</c> with the reasons. A stored state is never overridden by this automatic start.
/// </para>
/// <para>
/// API TEST, as the host runs it: the bytes the <c>GET /{bot}/keyboard</c> endpoint writes
/// (<see cref="KakaoJson.Keyboard"/> of <see cref="CompiledFlow.HomeKeyboard"/>, the same call the endpoint makes)
/// are judged by <see cref="ApiChecks.Keyboard"/>, the rules <c>kakaoflow apitest</c> applies over HTTP. Not a real
/// HTTP call to ourselves: at start-up Kestrel is not listening yet, and the address the platform would use
/// (behind TLS and proxies) is not known to the host; a loopback call would test Kestrel, not the bot.
/// <c>kakaoflow apitest https://public/url/bot</c> does the real round trip from outside.
/// </para>
/// </remarks>
internal sealed class ServiceController(IServiceStore store, ISessionStore sessions, BotCatalog catalog, IOptions<KakaoFlowOptions> settings, TimeProvider clock, NotificationDispatcher notifier, ILogger<ServiceController> logger)
{
    private readonly KakaoFlowOptions options = settings.Value;

    private readonly ConcurrentDictionary<string, ServiceRecord> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _unsure = new(StringComparer.Ordinal);
    private readonly IServiceStore _services = store;
    private readonly Lock _cacheGate = new();

    /// <summary>Decides and stores the state of every bot not seen before; caches all of them.</summary>
    public void Initialize()
    {
        foreach (var flow in catalog.Flows.OrderBy(flow => flow.BotId, StringComparer.Ordinal))
        {
            StateOf(flow);
        }
    }

    public ServiceRecord StateOf(CompiledFlow flow)
    {
        if (_states.TryGetValue(flow.BotId, out var known))
        {
            return _unsure.ContainsKey(flow.BotId) ? ReadAgain(flow.BotId, known) : known;
        }

        // Read before the state's transaction (these reads are their own): only a bot never seen before may start by itself.
        var first = _services.Find(flow.BotId) is null ? FirstState(flow, HasUsers(flow.BotId)) : null;
        var (state, _) = _services.Change(flow.BotId, current => current is not null || first is null ? (null, null) : (first, null));
        if (_states.TryAdd(flow.BotId, state!))
        {
            Log.ServiceState(logger, flow.BotId, ServiceStates.Name(state!.State), state.Reason, state.ChangedBy);
        }

        return _states[flow.BotId];
    }

    public bool IsRunning(CompiledFlow flow) => StateOf(flow).State == ServiceState.Running;

    /// <summary>What a bot that is not running answers to <c>/message</c>: <c>messages.stopped</c> with the Home keyboard.</summary>
    public static Reply StoppedReply(CompiledFlow flow) => new(new ReplyMessage(flow.Messages.Stopped, null, null), flow.HomeKeyboard);

    /// <summary>Why the bot may not start now (empty: it may): flow settings first, then the API TEST.</summary>
    public static (IReadOnlyList<string> Blockers, IReadOnlyList<ApiCheck> Checks) StartCheck(CompiledFlow flow)
    {
        var (checks, _) = ApiChecks.Keyboard(200, KakaoJson.ContentType, KakaoJson.Keyboard(flow.HomeKeyboard));
        var blockers = flow.StartBlockers
            .Concat(checks.Where(check => !check.Passed).Select(check => $"API TEST failed: {check.Name} ({check.Why})"))
            .ToList();
        return (blockers, checks);
    }

    public ServiceActionResult Start(CompiledFlow flow, string by)
    {
        StateOf(flow);
        var (blockers, checks) = StartCheck(flow);
        ServiceActionResult? refused = null;
        var (state, _) = Change(flow, current =>
        {
            switch (current?.State)
            {
                case ServiceState.Blocked:
                    refused = new(409, $"blocked by an operator ({current.Reason}); only an operator can lift the block", current, checks);
                    return (null, null);
                case ServiceState.Running:
                    refused = new(200, "already running", current, checks);
                    return (null, null);
            }

            if (blockers.Count > 0)
            {
                refused = new(409, "cannot start: " + string.Join("; ", blockers), current, checks);
                return (null, null);
            }

            return (Record(flow, ServiceState.Running, $"started by the {by} (API TEST passed)", by) with { StartedAt = Now }, null);
        });
        return refused ?? Changed(flow, state!, "running", checks);
    }

    public ServiceActionResult Stop(CompiledFlow flow, string by)
    {
        StateOf(flow);
        ServiceActionResult? refused = null;
        var (state, _) = Change(flow, current =>
        {
            switch (current?.State)
            {
                case ServiceState.Blocked:
                    refused = new(409, $"blocked by an operator ({current.Reason}); only an operator can lift the block", current);
                    return (null, null);
                case ServiceState.Stopped:
                    refused = new(200, "already stopped", current);
                    return (null, null);
            }

            return (Record(flow, ServiceState.Stopped, $"stopped by the {by}", by) with { StartedAt = current?.StartedAt }, null);
        });
        return refused ?? Changed(flow, state!, "stopped");
    }

    public ServiceActionResult Block(CompiledFlow flow, string reason)
    {
        StateOf(flow);
        ServiceActionResult? refused = null;
        var (state, note) = Change(flow, current =>
        {
            if (current?.State == ServiceState.Blocked)
            {
                refused = new(200, "already blocked", current);
                return (null, null);
            }

            return (Record(flow, ServiceState.Blocked, reason, Actors.Operator), Draft(flow, NotificationTexts.Blocked, NotificationTexts.BlockedText(flow, reason)));
        });
        return refused ?? Changed(flow, state!, "blocked", notified: note);
    }

    public ServiceActionResult Unblock(CompiledFlow flow)
    {
        StateOf(flow);
        ServiceActionResult? refused = null;
        var (state, note) = Change(flow, current =>
        {
            if (current?.State != ServiceState.Blocked)
            {
                refused = new(409, "not blocked", current);
                return (null, null);
            }

            // The owner fixed the content; starting again is the owner's step (it re-runs the API TEST).
            return (Record(flow, ServiceState.Stopped, "block lifted by an operator; start the bot again", Actors.Operator),
                Draft(flow, NotificationTexts.Unblocked, NotificationTexts.UnblockedText(flow)));
        });
        return refused ?? Changed(flow, state!, "unblocked", notified: note);
    }

    /// <summary>Called by <see cref="ErrorBudget"/> after it committed a state change.</summary>
    public void Remember(ServiceRecord state, Notification? notified)
    {
        // Re-read under a lock rather than cache `state`: two changes committed close together (an error stop and
        // an admin start) could otherwise leave the older one in the cache. The last to take the lock reads last,
        // after both commits, so the cache ends equal to the store.
        lock (_cacheGate)
        {
            _states[state.BotId] = _services.Find(state.BotId) ?? state;
        }

        Log.ServiceState(logger, state.BotId, ServiceStates.Name(state.State), state.Reason, state.ChangedBy);
        if (notified is not null)
        {
            notifier.Wake();
        }
    }

    /// <summary>
    /// An admin change, in the store. When the store fails, the change may still have been stored (LiteDB can fail a commit
    /// after writing it): the cached state is read again as soon as the store answers.
    /// </summary>
    private (ServiceRecord? State, Notification? Notification) Change(CompiledFlow flow, Func<ServiceRecord?, (ServiceRecord? Next, NotificationDraft? Note)> decide)
    {
        try
        {
            return _services.Change(flow.BotId, decide);
        }
        catch (StoreException)
        {
            _unsure[flow.BotId] = true;
            throw;
        }
    }

    /// <summary>The stored state, when the store answers; the cached one until it does.</summary>
    private ServiceRecord ReadAgain(string botId, ServiceRecord known)
    {
        lock (_cacheGate)
        {
            try
            {
                var stored = _services.Find(botId) ?? known;
                _states[botId] = stored;
                _unsure.TryRemove(botId, out _);
                return stored;
            }
            catch (StoreException)
            {
                return known;
            }
        }
    }

    public static NotificationDraft Draft(CompiledFlow flow, string kind, string text) => new(flow.BotId, flow.MonitorPhone ?? "", kind, text);

    private ServiceActionResult Changed(CompiledFlow flow, ServiceRecord state, string what, IReadOnlyList<ApiCheck>? checks = null, Notification? notified = null)
    {
        Remember(state, notified);
        return new(200, $"{flow.BotId} {what}", state, checks);
    }

    /// <summary>
    /// The state of a bot without a stored one. A bot that has users, friends or monitoring messages but no state had one
    /// that was lost (a restored backup, a rebuilt file): it may have been stopped or blocked, so it does not start by
    /// itself.
    /// </summary>
    private ServiceRecord FirstState(CompiledFlow flow, bool hasUsers)
    {
        if (hasUsers)
        {
            return Record(flow, ServiceState.NotStarted,
                "its stored service state is missing though it has users: it may have been lost (was it stopped or blocked?); check, then start it", Actors.Auto);
        }

        var (blockers, _) = StartCheck(flow);
        return blockers.Count == 0
            ? Record(flow, ServiceState.Running, "started automatically: API TEST passed, privacy_consent and monitor.phone set", Actors.Auto) with { StartedAt = Now }
            : Record(flow, ServiceState.NotStarted, string.Join("; ", blockers), Actors.Auto);
    }

    private bool HasUsers(string botId) =>
        sessions.Count(botId) > 0 || _services.FriendCount(botId) > 0 || _services.Notifications(botId, 1).Count > 0;

    private ServiceRecord Record(CompiledFlow flow, ServiceState state, string reason, string by) => new(flow.BotId, state, reason, Now, by);

    private DateTimeOffset Now => clock.GetUtcNow();
}
