using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting.Lifecycle;

/// <summary>
/// Counts a bot's errors per Asia/Seoul day (<see cref="SeoulDay"/>, on the flow clock) and stops the bot when
/// the day's count becomes greater than <c>settings.error_limit_per_day</c>.
/// </summary>
/// <remarks>
/// Counted (docs/design.md, "Service lifecycle"): hook errors and limits, replies repaired to meet a Kakao limit (a text over 1000
/// characters is cut to 999 plus <c>…</c> by the runtime, so the reply stays valid), flow errors, internal
/// failures and answers over the reply time bound. Not counted, only logged: malformed requests (refused with the
/// error JSON by the endpoint), a reply cut because of what the user typed, and a user's errors past
/// <see cref="KakaoFlowOptions.ErrorsPerUserPerDay"/> on one day — the budget is for the bot's own failures, and no
/// sender may spend it for everyone. Each error keeps its time, the user's <see cref="UserTag"/> (never the
/// user_key), the flow location and the message; the latest <see cref="KakaoFlowOptions.RecentErrorsKept"/>.
/// <para>
/// Notifications: <c>error-budget-80</c> once a day when the count first reaches 80 % of the limit, and
/// <c>stopped-by-errors</c> when the count passes the limit while the bot is running — decided in the same
/// transaction that counts, so exactly one of each even under concurrent errors. When one error does both (a very
/// small limit), only the stop is sent.
/// </para>
/// <para>
/// A storage outage (<see cref="IStoreHealth"/> unavailable, or a store call failing with
/// <see cref="StoreUnavailableException"/>) is nobody's bot's fault, and its count cannot be written anyway: while it
/// lasts, a bot's errors count once per <see cref="OutageInterval"/> (kind <c>store-unavailable</c>, with how many turns
/// failed), held in memory until the store takes them, and logged once per interval rather than per turn.
/// </para>
/// </remarks>
internal sealed class ErrorBudget(IServiceStore store, IStoreHealth health, ServiceController services, NotificationDispatcher notifier, IOptions<KakaoFlowOptions> settings, TimeProvider clock, ILogger<ErrorBudget> logger)
{
    private readonly KakaoFlowOptions options = settings.Value;

    public const string HookError = "hook-error";
    public const string Timeout = "timeout";
    public const string Internal = "internal";
    public const string StoreUnavailable = "store-unavailable";

    /// <summary>The user of errors that no user caused (internal failures outside a turn).</summary>
    public const string NoUser = "-";

    /// <summary>While the store is unavailable, a bot's errors count once per this interval.</summary>
    public static readonly TimeSpan OutageInterval = TimeSpan.FromMinutes(1);

    private readonly UserErrorCounts _perUser = new();
    private readonly OutageCounts _outages = new();

    /// <summary>
    /// Counts one error; never throws (a failing count is logged, the turn's answer goes out regardless). The caller
    /// has logged the error itself: the count's log line leaves the message out, and the detail kept is cut to
    /// <see cref="Excerpt.MessageBytes"/>.
    /// </summary>
    public void Record(CompiledFlow flow, string user, string kind, SourceSpan? location, string message)
    {
        if (health.Status is { Available: false } outage)
        {
            RecordOutage(flow, outage.Reason ?? "unknown");
            return;
        }

        try
        {
            WriteOutageCounts();
            message = Excerpt.Cut(message, Excerpt.MessageBytes);
            var now = clock.GetUtcNow();
            var day = SeoulDay.Of(now);
            if (user != NoUser && !_perUser.TryCount(flow.BotId, day, user, options.ErrorsPerUserPerDay))
            {
                Log.ErrorNotCounted(logger, flow.BotId, user, day, options.ErrorsPerUserPerDay, kind);
                return;
            }

            Count(flow, new ErrorDetail(now, user, kind, location?.ToString(), message));
        }
        catch (StoreUnavailableException e)
        {
            RecordOutage(flow, e.Message);
        }
#pragma warning disable CA1031 // Counting must never turn an answer into a failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ErrorCountFailed(logger, flow.BotId, e);
        }
    }

    /// <summary>A turn answered <c>messages.error</c> because the store could not read or write the user's session.</summary>
    public void RecordStoreFailure(CompiledFlow flow, StoreException failure) => RecordOutage(flow, failure.Message);

    /// <summary>
    /// Writes the outage counts held while the store was unavailable, once it is back; cheap when there are none. Never
    /// throws: a count that cannot be written yet is kept for the next time.
    /// </summary>
    public void WriteOutageCounts()
    {
        if (!_outages.AnyUnwritten || !health.Status.Available)
        {
            return;
        }

        var unwritten = new Queue<(CompiledFlow Flow, ErrorDetail Detail)>(_outages.TakeUnwritten());
        while (unwritten.TryDequeue(out var next))
        {
            try
            {
                Count(next.Flow, next.Detail);
            }
            catch (StoreException)
            {
                foreach (var (flow, detail) in unwritten.Prepend(next))
                {
                    _outages.Unwritten(flow, detail);
                }

                return;
            }
#pragma warning disable CA1031 // Counting must never turn an answer into a failure.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ErrorCountFailed(logger, next.Flow.BotId, e);
            }
        }
    }

    /// <summary>Once per bot per <see cref="OutageInterval"/>: logged, and counted (or held until the store takes it).</summary>
    private void RecordOutage(CompiledFlow flow, string reason)
    {
        var now = clock.GetUtcNow();
        if (_outages.Tally(flow.BotId, now, OutageInterval) is not { } uncounted)
        {
            return;
        }

        reason = Excerpt.Cut(reason, Excerpt.MessageBytes);
        Log.StoreOutageCounted(logger, flow.BotId, uncounted, OutageInterval, reason);
        var detail = new ErrorDetail(now, NoUser, StoreUnavailable, null, Excerpt.Cut($"the data store is unavailable ({reason}); counted once a minute, {uncounted} more failure(s) in the minute before", Excerpt.MessageBytes));
        try
        {
            Count(flow, detail);
        }
        catch (StoreException)
        {
            _outages.Unwritten(flow, detail);
        }
#pragma warning disable CA1031 // Counting must never turn an answer into a failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ErrorCountFailed(logger, flow.BotId, e);
        }
    }

    /// <summary>Counts one error in the store and acts on the decision taken with it (a stop, notifications).</summary>
    private void Count(CompiledFlow flow, ErrorDetail detail)
    {
        var day = SeoulDay.Of(detail.At);
        var limit = flow.Settings.ErrorLimitPerDay;
        var (counted, state, notes) = store.RecordError(flow.BotId, day, detail, options.RecentErrorsKept, (errors, service) =>
        {
            var stop = errors.Count > limit && service?.State == ServiceState.Running;
            var warn = !errors.Warned && (long)errors.Count * 5 >= (long)limit * 4;
            var drafts = new List<NotificationDraft>();
            ServiceRecord? next = null;
            if (stop)
            {
                next = new ServiceRecord(flow.BotId, ServiceState.StoppedByErrors, $"{errors.Count} errors on {day} (Asia/Seoul), limit {limit}", detail.At, Actors.Errors)
                {
                    StartedAt = service!.StartedAt,
                };
                drafts.Add(ServiceController.Draft(flow, NotificationTexts.StoppedByErrors, NotificationTexts.StoppedByErrorsText(flow, errors.Count, limit)));
            }
            else if (warn)
            {
                drafts.Add(ServiceController.Draft(flow, NotificationTexts.ErrorBudget80, NotificationTexts.ErrorBudget80Text(flow, errors.Count, limit)));
            }

            return new ErrorDecision(warn || stop, next, drafts);
        });
        Log.ErrorCounted(logger, flow.BotId, detail.User, day, counted.Count, limit, detail.Kind);
        if (state is not null)
        {
            services.Remember(state, notified: null);
        }

        if (notes.Count > 0)
        {
            notifier.Wake();
        }
    }
}

/// <summary>
/// A storage outage per bot: the interval last counted, the turns that failed since, and the counts the store could not
/// take yet (at most a day of intervals per bot; older ones are dropped).
/// </summary>
internal sealed class OutageCounts
{
    private const int MaxUnwrittenPerBot = 24 * 60;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Interval, int Turns)> _bots = new(StringComparer.Ordinal);
    private readonly List<(CompiledFlow Flow, ErrorDetail Detail)> _unwritten = [];
    private volatile bool _anyUnwritten;

    public bool AnyUnwritten => _anyUnwritten;

    /// <summary>
    /// One more failure of the bot. Null when its interval was counted already; otherwise the failures not counted in the
    /// interval just before (0 when the outage is new).
    /// </summary>
    public int? Tally(string botId, DateTimeOffset now, TimeSpan interval)
    {
        var current = now.UtcTicks / interval.Ticks;
        lock (_gate)
        {
            var (last, uncounted) = _bots.GetValueOrDefault(botId, (long.MinValue, 0));
            if (last == current)
            {
                _bots[botId] = (last, uncounted + 1);
                return null;
            }

            _bots[botId] = (current, 0);
            return last == current - 1 ? uncounted : 0;
        }
    }

    public void Unwritten(CompiledFlow flow, ErrorDetail detail)
    {
        lock (_gate)
        {
            if (_unwritten.Count(item => item.Flow.BotId == flow.BotId) < MaxUnwrittenPerBot)
            {
                _unwritten.Add((flow, detail));
            }

            _anyUnwritten = true;
        }
    }

    public List<(CompiledFlow Flow, ErrorDetail Detail)> TakeUnwritten()
    {
        lock (_gate)
        {
            var taken = _unwritten.ToList();
            _unwritten.Clear();
            _anyUnwritten = false;
            return taken;
        }
    }
}

/// <summary>
/// How many errors each user has counted today, per bot: held in memory (a restart forgets it, which only lets a
/// user count a few more), and forgotten for a day once the day has passed.
/// </summary>
internal sealed class UserErrorCounts
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Bot, string User), int> _counts = [];
    private string _day = "";

    /// <summary>Counts one more for the user; false (and nothing counted) when the user already has <paramref name="cap"/>.</summary>
    public bool TryCount(string botId, string day, string user, int cap)
    {
        lock (_gate)
        {
            if (!string.Equals(day, _day, StringComparison.Ordinal))
            {
                _counts.Clear();
                _day = day;
            }

            var key = (botId, user);
            var count = _counts.GetValueOrDefault(key);
            if (count >= cap)
            {
                return false;
            }

            _counts[key] = count + 1;
            return true;
        }
    }
}
