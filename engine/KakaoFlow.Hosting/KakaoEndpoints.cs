using System.Text.Json;
using KakaoFlow.Compiling;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting;

/// <summary>
/// The five endpoints of the auto-reply API (docs/kakao-api.md) under <c>/{bot}</c>. Handlers write bodies themselves (no model binding),
/// so every refusal is the Kakao error JSON with a code, and nothing a caller sends can produce a 5xx.
/// </summary>
/// <remarks>
/// Status choices where the API leaves room: an unknown bot is 400 with code 202 "wrong bot url" (the
/// table's own row for it); an over-large body and a wrong content type are 400 with code 100 (bad request);
/// a <c>type</c> other than text/photo is 400 with code 400; paths that match no endpoint get 404 / 405 with
/// code 100.
/// </remarks>
internal static partial class KakaoEndpoints
{
    /// <param name="bots">The group <c>/{bot}</c>.</param>
    /// <param name="root">The app's root provider.</param>
    public static void Map(IEndpointRouteBuilder bots, IServiceProvider root)
    {
        // The handlers use only singletons: take them from the root provider once, so that no request creates
        // (and disposes) a DI scope.
        var host = new Services(root);
        var routes = bots;
        routes.MapGet("/keyboard", (HttpContext context) => Run(host, context, "keyboard", GetKeyboardAsync));
        routes.MapPost("/message", (HttpContext context) => Run(host, context, "message", PostMessageAsync));
        routes.MapPost("/friend", (HttpContext context) => Run(host, context, "friend", PostFriendAsync));
        routes.MapDelete("/friend/{user_key}", (HttpContext context) => Run(host, context, "friend/{user_key}", DeleteFriendAsync));
        routes.MapDelete("/chat_room/{user_key}", (HttpContext context) => Run(host, context, "chat_room/{user_key}", DeleteChatRoomAsync));
        routes.MapPost("/skill", (HttpContext context) => Run(host, context, "skill", PostSkillAsync));
    }

    /// <summary>The status-code page for paths and methods that match no endpoint: still the error JSON.</summary>
    public static Task WriteStatusPageAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var message = status switch
        {
            StatusCodes.Status404NotFound => "not found",
            StatusCodes.Status405MethodNotAllowed => "method not allowed",
            _ => "bad request",
        };
        return WriteAsync(context, status, KakaoJson.Error(KakaoCodes.BadRequest, message));
    }

    private static async Task Run(Services host, HttpContext context, string endpoint, Func<Services, HttpContext, CompiledFlow, Task> handle)
    {
        if (endpoint != "keyboard" && !host.Secret.Accepts(context.Request))
        {
            var wrongSecret = new RequestError(StatusCodes.Status401Unauthorized, KakaoCodes.WrongApiKey, $"wrong api key: send the header {WebhookSecret.Header}");
            await RefuseUnreadAsync(host, context, endpoint, "(no secret)", wrongSecret, "missing or wrong secret").ConfigureAwait(false);
            return;
        }

        var botId = (string)context.GetRouteValue("bot")!;
        var flow = host.Catalog.Find(botId);
        if (flow is null)
        {
            var unknownBot = new RequestError(StatusCodes.Status400BadRequest, KakaoCodes.WrongBotUrl, "wrong bot url");
            await RefuseUnreadAsync(host, context, endpoint, "(unknown)", unknownBot, "unknown bot").ConfigureAwait(false);
            return;
        }

        await HandleAsync(host, context, endpoint, botId, flow, handle).ConfigureAwait(false);
    }

    /// <summary>A refusal before the body was read: logged with <paramref name="reason"/>, answered with <paramref name="error"/>.</summary>
    private static Task RefuseUnreadAsync(Services host, HttpContext context, string endpoint, string bot, RequestError error, string reason)
    {
        Log.Refused(host.Logger, context.Request.Method, endpoint, bot, error.Status, error.Code, reason);
        CloseIfBodyUnread(host, context);
        return WriteErrorAsync(context, error);
    }

    /// <summary>Runs the endpoint's handler; whatever it throws is still answered with a valid body.</summary>
    private static async Task HandleAsync(Services host, HttpContext context, string endpoint, string botId, CompiledFlow flow, Func<Services, HttpContext, CompiledFlow, Task> handle)
    {
        try
        {
            await handle(host, context, flow).ConfigureAwait(false);
        }
        catch (RequestRefusedException refused)
        {
            Log.Refused(host.Logger, context.Request.Method, endpoint, botId, refused.Error.Status, refused.Error.Code, refused.Error.Message);
            await WriteErrorAsync(context, refused.Error).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; there is nobody to answer.
        }
        catch (StoreUnavailableException e) when (!context.Response.HasStarted)
        {
            // The store is down (Redis unreachable, a full disk): a turn still gets messages.error and the Home keyboard at
            // once. Logged once per interval, not per request; not counted (counting needs the store, and the budget is
            // for the bot's own failures).
            host.Outage.Report(endpoint, e);
            await WriteFailureAsync(context, endpoint, flow, StatusCodes.Status503ServiceUnavailable, "store unavailable").ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Last line of defence: log it and answer with a valid body rather than a bare 500.
        catch (Exception e) when (!context.Response.HasStarted)
#pragma warning restore CA1031
        {
            Log.RequestFailed(host.Logger, context.Request.Method, endpoint, botId, e);
            host.Errors.Record(flow, ErrorBudget.NoUser, ErrorBudget.Internal, null, $"{endpoint}: {e.GetType().Name}: {e.Message}");
            await WriteFailureAsync(context, endpoint, flow, StatusCodes.Status500InternalServerError, "internal error").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The answer of a request that failed inside: a turn (message, skill) still gets <c>messages.error</c> with the Home
    /// keyboard, as 200; the other endpoints get the error JSON with <paramref name="status"/>.
    /// </summary>
    private static Task WriteFailureAsync(HttpContext context, string endpoint, CompiledFlow flow, int status, string message) => endpoint switch
    {
        "message" => WriteAsync(context, StatusCodes.Status200OK, KakaoJson.Reply(ConversationService.ErrorReply(flow))),
        "skill" => WriteAsync(context, StatusCodes.Status200OK, SkillResponse(ConversationService.ErrorReply(flow))),
        _ => WriteAsync(context, status, KakaoJson.Error(status, message)),
    };

    private static void CloseIfBodyUnread(Services host, HttpContext context)
    {
        if (context.Request.ContentLength > host.Options.MaxBodyBytes)
        {
            // Kestrel will not drain a body past the limit: tell the client this connection ends here.
            context.Response.Headers.Connection = "close";
        }
    }

    private static Task GetKeyboardAsync(Services host, HttpContext context, CompiledFlow flow) =>
        WriteAsync(context, StatusCodes.Status200OK, KakaoJson.Keyboard(flow.HomeKeyboard));

    private static async Task PostMessageAsync(Services host, HttpContext context, CompiledFlow flow)
    {
        var message = await ReadBodyAsync<MessageRequest>(host, context, KakaoRequests.ParseMessage).ConfigureAwait(false);
        var reply = IsRunning(host, flow)
            ? await host.Conversations.HandleMessageAsync(flow, message.UserKey, message.Turn).ConfigureAwait(false)
            : ServiceController.StoppedReply(flow);
        await WriteAsync(context, StatusCodes.Status200OK, KakaoJson.Reply(reply)).ConfigureAwait(false);
    }

    private static async Task PostFriendAsync(Services host, HttpContext context, CompiledFlow flow)
    {
        var friend = await ReadBodyAsync<FriendRequest>(host, context, KakaoRequests.ParseFriend).ConfigureAwait(false);
        await host.Conversations.SetFriendAsync(flow, friend.UserKey, added: true).ConfigureAwait(false);
        await WriteSuccessAsync(context).ConfigureAwait(false);
    }

    private static async Task DeleteFriendAsync(Services host, HttpContext context, CompiledFlow flow)
    {
        var userKey = RouteUserKey(context);
        await host.Conversations.SetFriendAsync(flow, userKey, added: false).ConfigureAwait(false);
        await WriteSuccessAsync(context).ConfigureAwait(false);
    }

    private static async Task DeleteChatRoomAsync(Services host, HttpContext context, CompiledFlow flow)
    {
        var userKey = RouteUserKey(context);
        await host.Conversations.ResetPositionAsync(flow, userKey).ConfigureAwait(false);
        await WriteSuccessAsync(context).ConfigureAwait(false);
    }

    /// <summary>A bot that is not running (stopped, blocked, not started) answers messages.stopped with the Home keyboard and leaves the session alone.</summary>
    private static bool IsRunning(Services host, CompiledFlow flow) => host.Controller.StateOf(flow).State == ServiceState.Running;

    /// <summary>The body read, bounded and parsed, or the request refused with what was wrong with it.</summary>
    private static async Task<T> ReadBodyAsync<T>(Services host, HttpContext context, BodyParser<T> parse)
        where T : struct
    {
        var (document, error) = await KakaoRequests.ReadJsonAsync(context, host.Options.MaxBodyBytes).ConfigureAwait(false);
        using (document)
        {
            var parsed = document is null ? null : parse(document.RootElement, out error);
            return parsed ?? throw new RequestRefusedException(error!);
        }
    }

    private static string RouteUserKey(HttpContext context)
    {
        var userKey = RawLastSegment(context) ?? context.GetRouteValue("user_key") as string;
        return KakaoRequests.IsValidUserKey(userKey)
            ? userKey!
            : throw new RequestRefusedException(RequestError.BadRequest(
                $"user_key must be 1 to {KakaoRequests.MaxUserKeyLength} characters without control characters"));
    }

    /// <summary>
    /// The last path segment as the client sent it, percent-decoded once. The route value will not do: Kestrel decodes
    /// every escape except <c>%2F</c>, so <c>a%2Fb</c> would stay literal and <c>a%252Fb</c> would need a second
    /// decoding, which would make it <c>a/b</c> too. Null when the server keeps no raw target.
    /// </summary>
    private static string? RawLastSegment(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        var end = raw.IndexOfAny(['?', '#']);
        var path = (end < 0 ? raw : raw[..end]).TrimEnd('/');
        return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
    }

    private static Task WriteErrorAsync(HttpContext context, RequestError error) =>
        WriteAsync(context, error.Status, KakaoJson.Error(error.Code, error.Message));

    private static Task WriteSuccessAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status200OK, KakaoJson.Success);

    private static async Task WriteAsync(HttpContext context, int status, ReadOnlyMemory<byte> body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = KakaoJson.ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The singletons the endpoints use, resolved once from the root provider.</summary>
    private sealed class Services(IServiceProvider root)
    {
        public ILogger Logger { get; } = root.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KakaoEndpoints).FullName!);

        public BotCatalog Catalog { get; } = root.GetRequiredService<BotCatalog>();

        public KakaoFlowOptions Options { get; } = root.GetRequiredService<IOptions<KakaoFlowOptions>>().Value;

        public ServiceController Controller { get; } = root.GetRequiredService<ServiceController>();

        public ConversationService Conversations { get; } = root.GetRequiredService<ConversationService>();

        public ErrorBudget Errors { get; } = root.GetRequiredService<ErrorBudget>();

        public StoreOutageLog Outage { get; } = root.GetRequiredService<StoreOutageLog>();

        public WebhookSecret Secret { get; } = new(root.GetRequiredService<IOptions<KakaoFlowOptions>>().Value.WebhookSecret);
    }

    private delegate T? BodyParser<T>(JsonElement body, out RequestError? error)
        where T : struct;

    private sealed class RequestRefusedException(RequestError error) : Exception(error.Message)
    {
        public RequestError Error { get; } = error;
    }
}
