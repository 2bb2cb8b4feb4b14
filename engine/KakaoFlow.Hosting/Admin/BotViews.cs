using KakaoFlow.Compiling;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Storage;

namespace KakaoFlow.Hosting.Admin;

/// <summary>Every bot folder as the admin API shows it: served bots with their state and counts, then refused ones.</summary>
public sealed class BotViews
{
    private readonly BotCatalog catalog;
    private readonly ServiceController controller;
    private readonly IServiceStore services;
    private readonly ISessionStore sessions;
    private readonly IStoreHealth health;
    private readonly TimeProvider clock;

    internal BotViews(BotCatalog catalog, ServiceController controller, IServiceStore services, ISessionStore sessions, IStoreHealth health, TimeProvider clock)
    {
        this.catalog = catalog;
        this.controller = controller;
        this.services = services;
        this.sessions = sessions;
        this.health = health;
        this.clock = clock;
    }

    /// <summary>Served bots by id, then the folders whose flow does not compile.</summary>
    public IReadOnlyList<BotView> All() =>
        [.. catalog.Flows.OrderBy(flow => flow.BotId, StringComparer.Ordinal).Select(Served), .. catalog.Refused.Select(Refused)];

    /// <summary>The data store: <c>ok</c>, or <c>unavailable</c> since when and why.</summary>
    public StoreView Store()
    {
        var status = health.Status;
        return new StoreView(status.Available ? "ok" : "unavailable", status.Since, status.Reason);
    }

    /// <remarks>While the store is unavailable, the counts it cannot give are left out (null); the state is the cached one.</remarks>
    internal BotView Served(CompiledFlow flow)
    {
        var state = controller.StateOf(flow);
        var day = SeoulDay.Of(clock.GetUtcNow());
        var status = catalog.Status(flow.BotId);
        return StateView(flow.BotId, state) with
        {
            Name = flow.Name,
            Served = true,
            Day = day,
            ErrorsToday = IfAvailable(() => services.ErrorsOn(flow.BotId, day)?.Count ?? 0),
            ErrorLimit = flow.Settings.ErrorLimitPerDay,
            Sessions = IfAvailable(() => sessions.Count(flow.BotId)),
            Friends = IfAvailable(() => services.FriendCount(flow.BotId)),
            Version = flow.Version,
            MonitorPhone = flow.MonitorPhone,
            PrivacyConsent = flow.PrivacyConsent,
            FlowStatus = status?.Summary,
            Diagnostics = [.. status?.DiagnosticLines ?? []],
        };
    }

    internal BotView Refused(string botId)
    {
        var status = catalog.Status(botId);
        var view = services.Find(botId) is { } stored
            ? StateView(botId, stored)
            : new BotView
            {
                Id = botId,
                State = ServiceStates.Name(ServiceState.NotStarted),
                Reason = "the flow does not compile (see diagnostics)",
            };
        return view with { FlowStatus = status?.Summary, Diagnostics = [.. status?.DiagnosticLines ?? []] };
    }

    private static int? IfAvailable(Func<int> count)
    {
        try
        {
            return count();
        }
        catch (StoreUnavailableException)
        {
            return null;
        }
    }

    private static BotView StateView(string botId, ServiceRecord state) => new()
    {
        Id = botId,
        State = ServiceStates.Name(state.State),
        Reason = state.Reason,
        ChangedAt = state.ChangedAt,
        ChangedBy = state.ChangedBy,
        StartedAt = state.StartedAt,
    };
}
