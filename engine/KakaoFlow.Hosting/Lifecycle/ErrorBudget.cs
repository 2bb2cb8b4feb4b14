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
/// Counted (DESIGN.md): hook errors and limits, replies repaired to meet a Kakao limit (a text over 1000
/// characters is cut to 999 plus <c>…</c> by the runtime, so the reply stays valid), flow errors, internal
/// failures and answers over the reply time bound. Not counted: malformed requests (they are refused with the
/// error JSON and logged by the endpoint). Each error keeps its time, the user's <see cref="UserTag"/> (never the
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

    /// <summary>Counts one error; never throws (a failing count is logged, the turn's answer goes out regardless).</summary>
    public void Record(CompiledFlow flow, string user, string kind, SourceSpan? location, string message)
    {
        try
        {
            var now = clock.GetUtcNow();
            var day = SeoulDay.Of(now);
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
            Log.ErrorCounted(logger, flow.BotId, user, day, counted.Count, limit, kind, message);
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
