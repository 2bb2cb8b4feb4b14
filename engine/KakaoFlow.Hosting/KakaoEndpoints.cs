using KakaoFlow.Compiling;
using KakaoFlow.Hosting.Lifecycle;
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
        var logger = host.Logger;
        var botId = (string)context.GetRouteValue("bot")!;
        if (endpoint != "keyboard" && !host.Secret.Accepts(context.Request))
        {
            Log.Refused(logger, context.Request.Method, endpoint, "(no secret)", StatusCodes.Status401Unauthorized, KakaoCodes.WrongApiKey, "missing or wrong secret");
            CloseIfBodyUnread(host, context);
            await WriteAsync(context, StatusCodes.Status401Unauthorized, KakaoJson.Error(KakaoCodes.WrongApiKey, $"wrong api key: send the header {WebhookSecret.Header}")).ConfigureAwait(false);
            return;
        }

        var flow = host.Catalog.Find(botId);
        if (flow is null)
        {
            Log.Refused(logger, context.Request.Method, endpoint, "(unknown)", StatusCodes.Status400BadRequest, KakaoCodes.WrongBotUrl, "unknown bot");
            CloseIfBodyUnread(host, context);
            await WriteAsync(context, StatusCodes.Status400BadRequest, KakaoJson.Error(KakaoCodes.WrongBotUrl, "wrong bot url")).ConfigureAwait(false);
            return;
        }

        try
        {
            await handle(host, context, flow).ConfigureAwait(false);
        }
        catch (RequestRefusedException refused)
        {
            var error = refused.Error;
            Log.Refused(logger, context.Request.Method, endpoint, botId, error.Status, error.Code, error.Message);
            await WriteAsync(context, error.Status, KakaoJson.Error(error.Code, error.Message)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; there is nobody to answer.
        }
#pragma warning disable CA1031 // Last line of defence: log it and answer with a valid body rather than a bare 500.
        catch (Exception e) when (!context.Response.HasStarted)
#pragma warning restore CA1031
        {
            Log.RequestFailed(logger, context.Request.Method, endpoint, botId, e);
            host.Errors.Record(flow, ErrorBudget.NoUser, ErrorBudget.Internal, null, $"{endpoint}: {e.GetType().Name}: {e.Message}");
            var body = endpoint switch
            {
                "message" => KakaoJson.Reply(ConversationService.ErrorReply(flow)),
                "skill" => SkillResponse(ConversationService.ErrorReply(flow)),
                _ => KakaoJson.Error(StatusCodes.Status500InternalServerError, "internal error"),
            };
            await WriteAsync(context, endpoint is "message" or "skill" ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError, body).ConfigureAwait(false);
        }
    }

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
        var (document, error) = await KakaoRequests.ReadJsonAsync(context, host.Options.MaxBodyBytes).ConfigureAwait(false);
        using (document)
        {
            var message = document is null ? null : KakaoRequests.ParseMessage(document.RootElement, out error);
            if (message is not { } parsed)
            {
                throw new RequestRefusedException(error!);
            }

            // A bot that is not running (stopped, blocked, not started) answers messages.stopped with the Home keyboard.
            var state = host.Controller.StateOf(flow);
            var reply = state.State == Storage.ServiceState.Running
                ? await host.Conversations.HandleMessageAsync(flow, parsed.UserKey, parsed.Turn).ConfigureAwait(false)
                : ServiceController.StoppedReply(flow);
            await WriteAsync(context, StatusCodes.Status200OK, KakaoJson.Reply(reply)).ConfigureAwait(false);
        }
    }

    private static async Task PostFriendAsync(Services host, HttpContext context, CompiledFlow flow)
    {
        var (document, error) = await KakaoRequests.ReadJsonAsync(context, host.Options.MaxBodyBytes).ConfigureAwait(false);
        using (document)
        {
            var userKey = document is null ? null : KakaoRequests.ParseFriend(document.RootElement, out error);
            if (userKey is null)
            {
                throw new RequestRefusedException(error!);
            }

            await host.Conversations.SetFriendAsync(flow, userKey, added: true).ConfigureAwait(false);
            await WriteSuccessAsync(context).ConfigureAwait(false);
        }
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

        public WebhookSecret Secret { get; } = new(root.GetRequiredService<IOptions<KakaoFlowOptions>>().Value.WebhookSecret);
    }

    private sealed class RequestRefusedException(RequestError error) : Exception(error.Message)
    {
        public RequestError Error { get; } = error;
    }
}
