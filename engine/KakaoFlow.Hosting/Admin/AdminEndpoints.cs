using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hosting.ApiTest;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting.Admin;

/// <summary>
/// The admin API under <c>/_admin/</c>: JSON in and out, <c>Authorization: Bearer TOKEN</c> on every call.
/// No or unknown token → 401; the owner's token on an operator action (block, unblock) → 403. The operator's
/// token can do everything the owner's can.
/// </summary>
internal static class AdminEndpoints
{
    public const string Prefix = "/_admin";

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(Prefix + "/bots", context => Run(context, AdminRole.Owner, ListBots));
        routes.MapGet(Prefix + "/bots/{bot}", context => Run(context, AdminRole.Owner, ShowBot));
        routes.MapPost(Prefix + "/bots/{bot}/start", context => Run(context, AdminRole.Owner, StartBot));
        routes.MapPost(Prefix + "/bots/{bot}/stop", context => Run(context, AdminRole.Owner, StopBot));
        routes.MapPost(Prefix + "/bots/{bot}/block", context => Run(context, AdminRole.Operator, BlockBot));
        routes.MapPost(Prefix + "/bots/{bot}/unblock", context => Run(context, AdminRole.Operator, UnblockBot));
        routes.MapGet(Prefix + "/notifications", context => Run(context, AdminRole.Owner, ListNotifications));
    }

    private static async Task Run(HttpContext context, AdminRole needed, Func<HttpContext, AdminRole, Task<(int Status, JsonObject Body)>> handle)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminEndpoints).FullName!);
        var role = RoleOf(context, services.GetRequiredService<AdminTokens>());
        (int Status, JsonObject Body) answer;
        if (role == AdminRole.None)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            answer = Error(StatusCodes.Status401Unauthorized, "missing or unknown token: send Authorization: Bearer TOKEN");
        }
        else if (needed == AdminRole.Operator && role != AdminRole.Operator)
        {
            answer = Error(StatusCodes.Status403Forbidden, "only an operator can do this");
        }
        else
        {
            answer = await handle(context, role).ConfigureAwait(false);
        }

        Log.Admin(logger, context.Request.Method, context.Request.Path.Value ?? "", role.ToString().ToLowerInvariant(), answer.Status);
        await WriteAsync(context, answer.Status, answer.Body).ConfigureAwait(false);
    }

    private static AdminRole RoleOf(HttpContext context, AdminTokens tokens)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return AdminRole.None;
        }

        var token = header[scheme.Length..].Trim();
        return token.Length == 0 ? AdminRole.None : tokens.RoleOf(token);
    }

    private static Task<(int, JsonObject)> ListBots(HttpContext context, AdminRole role)
    {
        var catalog = context.RequestServices.GetRequiredService<BotCatalog>();
        var bots = new JsonArray();
        foreach (var flow in catalog.Flows.OrderBy(flow => flow.BotId, StringComparer.Ordinal))
        {
            bots.Add(BotJson(context.RequestServices, flow));
        }

        foreach (var refused in catalog.Refused)
        {
            bots.Add(RefusedJson(context.RequestServices, refused));
        }

        return Task.FromResult((StatusCodes.Status200OK, new JsonObject { ["bots"] = bots }));
    }

    private static Task<(int, JsonObject)> ShowBot(HttpContext context, AdminRole role)
    {
        var services = context.RequestServices;
        var botId = (string)context.GetRouteValue("bot")!;
        var catalog = services.GetRequiredService<BotCatalog>();
        var flow = catalog.Find(botId);
        if (flow is null)
        {
            return Task.FromResult(catalog.Refused.Contains(botId)
                ? (StatusCodes.Status200OK, RefusedJson(services, botId))
                : Error(StatusCodes.Status404NotFound, $"unknown bot '{botId}'"));
        }

        var body = BotJson(services, flow);
        var options = services.GetRequiredService<KakaoFlowHostOptions>();
        var errors = new JsonArray();
        foreach (var error in services.GetRequiredService<LiteDbStore>().Services.RecentErrors(botId, options.RecentErrorsKept))
        {
            errors.Add(new JsonObject
            {
                ["at"] = Time(error.At),
                ["user"] = error.User,
                ["kind"] = error.Kind,
                ["location"] = error.Location,
                ["message"] = error.Message,
            });
        }

        body["recent_errors"] = errors;
        return Task.FromResult((StatusCodes.Status200OK, body));
    }

    private static Task<(int, JsonObject)> StartBot(HttpContext context, AdminRole role) => Act(context, role, "start");

    private static Task<(int, JsonObject)> StopBot(HttpContext context, AdminRole role) => Act(context, role, "stop");

    private static Task<(int, JsonObject)> BlockBot(HttpContext context, AdminRole role) => Act(context, role, "block");

    private static Task<(int, JsonObject)> UnblockBot(HttpContext context, AdminRole role) => Act(context, role, "unblock");

    private static async Task<(int, JsonObject)> Act(HttpContext context, AdminRole role, string action)
    {
        var services = context.RequestServices;
        var botId = (string)context.GetRouteValue("bot")!;
        var flow = services.GetRequiredService<BotCatalog>().Find(botId);
        if (flow is null)
        {
            return Error(StatusCodes.Status404NotFound, $"unknown bot '{botId}' (or its flow does not compile)");
        }

        var controller = services.GetRequiredService<ServiceController>();
        var by = role == AdminRole.Operator ? Actors.Operator : Actors.Owner;
        ServiceActionResult result;
        switch (action)
        {
            case "start":
                result = controller.Start(flow, by);
                break;
            case "stop":
                result = controller.Stop(flow, by);
                break;
            case "block":
                var reason = await ReadReasonAsync(context).ConfigureAwait(false);
                if (reason is null)
                {
                    return Error(StatusCodes.Status400BadRequest, "a block needs a reason: send {\"reason\": \"...\"}");
                }

                result = controller.Block(flow, reason);
                break;
            default:
                result = controller.Unblock(flow);
                break;
        }

        var body = new JsonObject
        {
            ["ok"] = result.Status == StatusCodes.Status200OK,
            ["message"] = result.Message,
            ["bot"] = BotJson(services, flow),
        };
        if (result.Checks is { } checks)
        {
            body["api_test"] = ChecksJson(checks);
        }

        if (result.Status != StatusCodes.Status200OK)
        {
            body["error"] = result.Message;
        }

        return (result.Status, body);
    }

    private static Task<(int, JsonObject)> ListNotifications(HttpContext context, AdminRole role)
    {
        var botId = context.Request.Query["bot"].ToString();
        var notes = new JsonArray();
        foreach (var note in context.RequestServices.GetRequiredService<LiteDbStore>().Services.Notifications(botId.Length == 0 ? null : botId, 200))
        {
            notes.Add(new JsonObject
            {
                ["id"] = note.Key,
                ["seq"] = note.Id,
                ["bot"] = note.BotId,
                ["phone"] = note.Phone,
                ["kind"] = note.Kind,
                ["text"] = note.Text,
                ["at"] = Time(note.At),
                ["delivered"] = note.Delivered,
                ["delivered_at"] = note.DeliveredAt is { } at ? Time(at) : null,
                ["attempts"] = note.Attempts,
                ["last_error"] = note.LastError,
            });
        }

        return Task.FromResult((StatusCodes.Status200OK, new JsonObject { ["notifications"] = notes }));
    }

    private static async Task<string?> ReadReasonAsync(HttpContext context)
    {
        var query = context.Request.Query["reason"].ToString();
        if (!string.IsNullOrWhiteSpace(query))
        {
            return query.Trim();
        }

        if (context.Request.ContentLength is null or 0 && !context.Request.Headers.TransferEncoding.Any())
        {
            return null;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("reason", out var reason)
                && reason.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(reason.GetString())
                ? reason.GetString()!.Trim()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject BotJson(IServiceProvider services, CompiledFlow flow)
    {
        var store = services.GetRequiredService<LiteDbStore>();
        var options = services.GetRequiredService<KakaoFlowHostOptions>();
        var state = services.GetRequiredService<ServiceController>().StateOf(flow);
        var day = SeoulDay.Of(options.Clock.GetUtcNow());
        var today = store.Services.ErrorsOn(flow.BotId, day);
        var body = new JsonObject
        {
            ["id"] = flow.BotId,
            ["name"] = flow.Name,
            ["served"] = true,
        };
        AddState(body, state);
        body["day"] = day;
        body["errors_today"] = today?.Count ?? 0;
        body["error_limit"] = flow.Settings.ErrorLimitPerDay;
        body["sessions"] = store.Sessions.Count(flow.BotId);
        body["friends"] = store.Services.FriendCount(flow.BotId);
        body["version"] = flow.Version;
        body["monitor_phone"] = flow.MonitorPhone;
        body["privacy_consent"] = flow.PrivacyConsent;
        body["flow_status"] = FlowStatus(services, flow.BotId);
        body["diagnostics"] = Diagnostics(services, flow.BotId);
        return body;
    }

    private static JsonObject RefusedJson(IServiceProvider services, string botId)
    {
        var body = new JsonObject { ["id"] = botId, ["name"] = null, ["served"] = false };
        var stored = services.GetRequiredService<LiteDbStore>().Services.Find(botId);
        if (stored is not null)
        {
            AddState(body, stored);
        }
        else
        {
            body["state"] = ServiceStates.Name(ServiceState.NotStarted);
            body["reason"] = "the flow does not compile (see diagnostics)";
        }

        body["flow_status"] = FlowStatus(services, botId);
        body["diagnostics"] = Diagnostics(services, botId);
        return body;
    }

    private static void AddState(JsonObject body, ServiceRecord state)
    {
        body["state"] = ServiceStates.Name(state.State);
        body["reason"] = state.Reason;
        body["changed_at"] = Time(state.ChangedAt);
        body["changed_by"] = state.ChangedBy;
        body["started_at"] = state.StartedAt is { } started ? Time(started) : null;
    }

    /// <summary>
    /// The diagnostics of the bot's latest compile, as <c>kakaoflow check</c> prints them: hot reload keeps them
    /// current, including a failed reload while the last good version keeps serving.
    /// </summary>
    private static JsonArray Diagnostics(IServiceProvider services, string botId) =>
        [.. (services.GetRequiredService<BotCatalog>().Status(botId)?.DiagnosticLines ?? []).Select(line => JsonValue.Create(line))];

    private static string? FlowStatus(IServiceProvider services, string botId) =>
        services.GetRequiredService<BotCatalog>().Status(botId)?.Summary;

    private static JsonArray ChecksJson(IReadOnlyList<ApiCheck> checks)
    {
        var list = new JsonArray();
        foreach (var check in checks)
        {
            list.Add(new JsonObject { ["check"] = check.Name, ["passed"] = check.Passed, ["why"] = check.Why });
        }

        return list;
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static (int, JsonObject) Error(int status, string message) =>
        (status, new JsonObject { ["error"] = message, ["status"] = status });

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString(JsonOptions));
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = KakaoJson.ContentType;
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
