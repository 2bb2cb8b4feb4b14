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
/// </remarks>
internal sealed class ErrorBudget(IServiceStore store, ServiceController services, NotificationDispatcher notifier, IOptions<KakaoFlowOptions> settings, TimeProvider clock, ILogger<ErrorBudget> logger)
{
    private readonly KakaoFlowOptions options = settings.Value;

    public const string HookError = "hook-error";
    public const string Timeout = "timeout";
    public const string Internal = "internal";

    /// <summary>The user of errors that no user caused (internal failures outside a turn).</summary>
    public const string NoUser = "-";

    private readonly UserErrorCounts _perUser = new();

    /// <summary>
    /// Counts one error; never throws (a failing count is logged, the turn's answer goes out regardless). The caller
    /// has logged the error itself: the count's log line leaves the message out, and the detail kept is cut to
    /// <see cref="Excerpt.MessageBytes"/>.
    /// </summary>
    public void Record(CompiledFlow flow, string user, string kind, SourceSpan? location, string message)
    {
        try
        {
            message = Excerpt.Cut(message, Excerpt.MessageBytes);
            var now = clock.GetUtcNow();
            var day = SeoulDay.Of(now);
            if (user != NoUser && !_perUser.TryCount(flow.BotId, day, user, options.ErrorsPerUserPerDay))
            {
                Log.ErrorNotCounted(logger, flow.BotId, user, day, options.ErrorsPerUserPerDay, kind);
                return;
            }

            var limit = flow.Settings.ErrorLimitPerDay;
            var detail = new ErrorDetail(now, user, kind, location?.ToString(), message);
            var (counted, state, notes) = store.RecordError(flow.BotId, day, detail, options.RecentErrorsKept, (errors, service) =>
            {
                var stop = errors.Count > limit && service?.State == ServiceState.Running;
                var warn = !errors.Warned && (long)errors.Count * 5 >= (long)limit * 4;
                var drafts = new List<NotificationDraft>();
                ServiceRecord? next = null;
                if (stop)
                {
                    next = new ServiceRecord(flow.BotId, ServiceState.StoppedByErrors, $"{errors.Count} errors on {day} (Asia/Seoul), limit {limit}", now, Actors.Errors)
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
            Log.ErrorCounted(logger, flow.BotId, user, day, counted.Count, limit, kind);
            if (state is not null)
            {
                services.Remember(state, notified: null);
            }

            if (notes.Count > 0)
            {
                notifier.Wake();
            }
        }
#pragma warning disable CA1031 // Counting must never turn an answer into a failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ErrorCountFailed(logger, flow.BotId, e);
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
