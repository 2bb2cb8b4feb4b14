using KakaoFlow.Compiling;
using KakaoFlow.Hosting.ApiTest;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting.Admin;

/// <summary>
/// The handlers of the admin API (mapped by <c>MapKakaoFlowAdmin</c>); who may call them is decided before, by
/// <see cref="AdminAuthorizationFilter"/>.
/// </summary>
internal sealed class AdminEndpoints(
    BotCatalog catalog,
    BotViews views,
    ServiceController controller,
    IServiceStore services,
    IOptions<KakaoFlowOptions> options)
{
    public const int NotificationsShown = 200;

    public JsonHttpResult<BotListView> ListBots()
    {
        return TypedResults.Json(new BotListView(views.All()) { Store = views.Store() }, AdminJson.Web.BotListView);
    }

    public IResult ShowBot(string bot)
    {
        var flow = catalog.Find(bot);
        if (flow is null)
        {
            return catalog.Refused.Contains(bot)
                ? TypedResults.Json(views.Refused(bot), AdminJson.Web.BotView)
                : Error(StatusCodes.Status404NotFound, $"unknown bot '{bot}'");
        }

        var errors = services.RecentErrors(bot, options.Value.RecentErrorsKept)
            .Select(error => new ErrorView(error.At, error.User, error.Kind, error.Location, error.Message))
            .ToList();
        return TypedResults.Json(views.Served(flow) with { RecentErrors = errors }, AdminJson.Web.BotView);
    }

    public IResult Start(string bot, HttpContext context) => Act(bot, flow => controller.Start(flow, ActorOf(context)));

    public IResult Stop(string bot, HttpContext context) => Act(bot, flow => controller.Stop(flow, ActorOf(context)));

    public IResult Unblock(string bot) => Act(bot, controller.Unblock);

    public async Task<IResult> Block(string bot, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (catalog.Find(bot) is null)
        {
            return UnknownBot(bot);
        }

        var reason = await AdminRequests.ReadReasonAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        return reason is null
            ? Error(StatusCodes.Status400BadRequest, "a block needs a reason: send {\"reason\": \"...\"}")
            : Act(bot, flow => controller.Block(flow, reason));
    }

    public JsonHttpResult<NotificationListView> ListNotifications(string? bot)
    {
        var notes = services.Notifications(string.IsNullOrEmpty(bot) ? null : bot, NotificationsShown)
            .Select(note => new NotificationView(
                note.Key, note.Id, note.BotId, note.Phone, note.Kind, note.Text, note.At,
                note.Delivered, note.DeliveredAt, note.Attempts, note.LastError))
            .ToList();
        return TypedResults.Json(new NotificationListView(notes), AdminJson.Web.NotificationListView);
    }

    public static JsonHttpResult<AdminErrorView> Error(int status, string message) =>
        TypedResults.Json(new AdminErrorView(message, status), AdminJson.Web.AdminErrorView, statusCode: status);

    private IResult Act(string bot, Func<CompiledFlow, ServiceActionResult> act)
    {
        var flow = catalog.Find(bot);
        if (flow is null)
        {
            return UnknownBot(bot);
        }

        ServiceActionResult result;
        try
        {
            result = act(flow);
        }
        catch (StoreException e)
        {
            // Nothing is known to have changed (a commit that failed may or may not have been stored; the cached state is
            // read again): say so at once rather than wait for a store that cannot write.
            return Error(StatusCodes.Status503ServiceUnavailable, $"the data store is unavailable, try again later: {e.Message}");
        }

        var ok = result.Status == StatusCodes.Status200OK;
        var view = new ActionView(ok, result.Message, views.Served(flow))
        {
            ApiTest = result.Checks?.Select(check => new ApiCheckView(check.Name, check.Passed, check.Why)).ToList(),
            Error = ok ? null : result.Message,
        };
        return TypedResults.Json(view, AdminJson.Web.ActionView, statusCode: result.Status);
    }

    private static JsonHttpResult<AdminErrorView> UnknownBot(string bot) =>
        Error(StatusCodes.Status404NotFound, $"unknown bot '{bot}' (or its flow does not compile)");

    private static string ActorOf(HttpContext context) =>
        AdminAuthorizationFilter.RoleOf(context) == AdminRole.Operator ? Actors.Operator : Actors.Owner;
}
