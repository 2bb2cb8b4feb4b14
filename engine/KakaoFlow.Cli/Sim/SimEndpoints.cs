using System.Text.Json;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Compiling;
using KakaoFlow.Hosting;
using KakaoFlow.Introspection;
using KakaoFlow.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KakaoFlow.Cli.Sim;

/// <summary>
/// The simulator's pages and its small JSON API. <c>/</c> lists the bots, <c>/{bot}</c> is one bot's simulator; the
/// page talks to <c>/_api/bots/{bot}/…</c> and loads its files from <c>/_sim/…</c>; <c>/{bot}/pay/register</c> is the
/// card registration page of <c>serve</c>. Every call that changes the user
/// answers with the whole <see cref="BotStateView"/>, so the page only ever draws what the server says.
/// </summary>
internal static class SimEndpoints
{
    /// <summary>How often an open page's event stream looks for a new compile of its bot.</summary>
    private static readonly TimeSpan EventPoll = TimeSpan.FromMilliseconds(150);

    /// <summary>The longest wait the clock buttons (or an automation) may ask for at once.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(400);

    public static void Map(IEndpointRouteBuilder app)
    {
        var assets = app.ServiceProvider.GetRequiredService<SimAssets>();
        app.MapGet("/", (HttpContext context) => assets.Serve(context, "index.html"));
        app.MapGet("/_sim/{name}", (HttpContext context, string name) => assets.Serve(context, name));
        app.MapGet("/{bot}", (HttpContext context, string bot, BotCatalog catalog) =>
            catalog.Status(bot) is null ? Results.Redirect("/") : assets.Serve(context, "bot.html"));

        var api = app.MapGroup("/_api/bots");
        api.MapGet("/", (BotCatalog catalog) => Results.Json(
            catalog.Bots.Select(status => new BotListItem(status.BotId, status.Flow?.Name ?? status.BotId, Level(status), Summary(status))).ToList(),
            SimJson.Readable.ListBotListItem));
        api.MapGet("/{bot}/state", (string bot, string? user, BotCatalog catalog, SimUsers users) =>
            Answer(bot, user, catalog, users, (_, _) => { }));
        api.MapPost("/{bot}/send", (string bot, SendRequest request, BotCatalog catalog, SimUsers users) =>
        {
            if (ToTurn(request) is not { } turn)
            {
                return Results.BadRequest(CliMessages.Sim_Api_BadSend);
            }

            return Answer(bot, request.User, catalog, users, (user, flow) => user.Send(flow, turn, users.Data, users.Payments));
        });
        api.MapPost("/{bot}/clock", (string bot, ClockRequest request, BotCatalog catalog, SimUsers users) =>
            Durations.TryParse(request.By ?? "", out var wait) && wait <= LongestWait
                ? Answer(bot, request.User, catalog, users, (user, flow) => user.Wait(flow, wait))
                : Results.BadRequest(CliMessages.Sim_Api_BadWait));
        api.MapPost("/{bot}/reset", (string bot, UserRequest request, BotCatalog catalog, SimUsers users) =>
            Answer(bot, request.User, catalog, users, (user, _) => user.Reset(bot, users.Payments)));
        api.MapGet("/{bot}/graph", (string bot, BotCatalog catalog) =>
        {
            if (catalog.Find(bot) is not { } flow)
            {
                return Results.NotFound();
            }

            var info = FlowInfo.Of(flow);
            var nodes = info.Steps.ToDictionary(step => step.Id, step => step.NodeId, StringComparer.Ordinal);
            return Results.Json(new GraphView(flow.Version, MermaidGraph.Write(info), nodes), SimJson.Readable.GraphView);
        });
        api.MapGet("/{bot}/events", Events);

        // The card registration page of `serve` itself, for the links `pay.registerUrl()` gives here.
        KakaoFlow.Hosting.Payments.CardRegistrationPage.Map(app.MapGroup("/{bot}"), app.ServiceProvider);
    }

    private static Turn? ToTurn(SendRequest request) => request switch
    {
        { Text: { } text, Photo: null } => Turn.Text(text),
        { Text: null, Photo: { } url } when Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" => Turn.Photo(url),
        _ => null,
    };

    /// <summary>Does <paramref name="act"/> to the user (under its lock) on the version serving now, then answers with the whole state.</summary>
    private static IResult Answer(string bot, string? userId, BotCatalog catalog, SimUsers users, Action<SimUser, CompiledFlow> act)
    {
        if (!SimUsers.IsValidId(userId))
        {
            return Results.BadRequest(CliMessages.Sim_Api_BadUser);
        }

        // The watcher reloads within a moment of a save; looking here too means the next turn never misses one.
        if (bot.IndexOfAny(['/', '\\']) < 0)
        {
            catalog.Refresh(bot);
        }

        if (catalog.Status(bot) is not { } status)
        {
            return Results.NotFound();
        }

        var flow = status.Flow;
        UserView? view = null;
        if (flow is not null)
        {
            var user = users.Get(bot, userId!);
            lock (user)
            {
                act(user, flow);
                view = View(user, flow);
            }
        }

        var state = new BotStateView(bot, flow?.Name ?? bot, Status(status), view);
        return flow is null ? Results.Json(state, SimJson.Readable.BotStateView, statusCode: StatusCodes.Status409Conflict) : Results.Json(state, SimJson.Readable.BotStateView);
    }

    private static UserView View(SimUser user, CompiledFlow flow)
    {
        var step = user.CurrentStep(flow);
        var keyboard = user.Keyboard(flow);
        var entries = user.Entries
            .Select(entry => new EntryView(entry.Kind.ToString().ToLowerInvariant(), entry.Text, entry.Photo, entry.Link))
            .ToList();
        return new UserView(
            step.Id,
            user.VarsJson(flow),
            user.ClockText,
            keyboard.Kind == KeyboardKind.Text,
            keyboard.Buttons,
            step.Input?.Type == TurnKind.Photo && user.Session.Choice is null,
            entries);
    }

    /// <summary>Server-sent events: the bot's <see cref="StatusView"/> now, then again after every compile of a saved file.</summary>
    private static async Task Events(HttpContext context, string bot, BotCatalog catalog, IHostApplicationLifetime lifetime)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        BotStatus? sent = null;
        var first = true;
        try
        {
            await context.Response.WriteAsync("retry: 1000\n\n", stop.Token).ConfigureAwait(false);
            while (true)
            {
                // A reload swaps in a new status object: a new reference is a new compile.
                var status = catalog.Status(bot);
                if (first || !ReferenceEquals(status, sent))
                {
                    first = false;
                    sent = status;
                    var json = JsonSerializer.Serialize(Status(status), SimJson.Readable.StatusView);
                    await context.Response.WriteAsync($"data: {json}\n\n", stop.Token).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
                }

                await Task.Delay(EventPoll, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away or the simulator is stopping.
        }
    }

    private static StatusView Status(BotStatus? status)
    {
        if (status is null)
        {
            return new StatusView("removed", false, null, false, 0, "error", CliMessages.Sim_Status_Removed, []);
        }

        var diagnostics = status.Diagnostics.Select(d => new DiagnosticView(d.IsError, d.Format())).ToList();
        var stamp = $"{status.CheckedAt.UtcTicks}-{status.Version}";
        return new StatusView(stamp, status.Served, status.Version, status.LastReloadFailed, status.Errors, Level(status), Summary(status), diagnostics);
    }

    private static string Level(BotStatus status) =>
        status.Errors > 0 || status.Flow is null ? "error" : status.Warnings > 0 ? "warning" : "ok";

    private static string Summary(BotStatus status) => (status.Flow, status.LastReloadFailed) switch
    {
        ({ } flow, true) => Messages.Format(CliMessages.Sim_Status_ReloadFailed, status.Errors, flow.Version),
        ({ } flow, false) when status.Warnings > 0 => Messages.Format(CliMessages.Sim_Status_Warnings, status.Warnings, flow.Version),
        ({ } flow, false) => Messages.Format(CliMessages.Sim_Status_Ok, flow.Version),
        (null, _) => Messages.Format(CliMessages.Sim_Status_Broken, status.Errors),
    };
}
