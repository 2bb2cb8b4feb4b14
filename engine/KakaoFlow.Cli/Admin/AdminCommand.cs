using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Cli.Serve;
using KakaoFlow.Hosting.Admin;

namespace KakaoFlow.Cli.Admin;

/// <summary><c>kakaoflow admin status|start|stop|block|unblock|errors|notifications|payments [BOT] [--url URL] [--token TOKEN]</c>: the admin API as tables.</summary>
public static class AdminCommand
{
    public const string DefaultUrl = ServeSettings.DefaultUrls;

    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var url = new Option<string>("--url") { Description = "the serving host", DefaultValueFactory = _ => DefaultUrl, Recursive = true };
        var token = new Option<string?>("--token")
        {
            Description = $"default: ${KakaoFlowEnvironment.AdminToken}, then ${KakaoFlowEnvironment.OperatorToken}, then ./{AdminTokenFile.Name}",
            Recursive = true,
        };
        var admin = new Command("admin", "Service states, errors and monitoring messages of a running serve (its admin API), as tables.") { url, token };
        Command Sub(string name, string description, bool botRequired, Option<string>? reason = null)
        {
            var bot = new Argument<string?>("BOT") { Arity = botRequired ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne };
            var command = new Command(name, description) { bot };
            if (reason is not null)
            {
                command.Options.Add(reason);
            }

            command.SetAction((parse, cancellation) => RunAsync(
                name,
                parse.GetValue(bot),
                reason is null ? null : parse.GetValue(reason),
                parse.GetValue(url)!,
                parse.GetValue(token),
                io));
            admin.Subcommands.Add(command);
            return command;
        }

        Sub("status", "every bot (or one bot in detail): state, reason, today's errors, sessions, friends", botRequired: false);
        Sub("start", "start a bot (runs the API TEST first)", botRequired: true);
        Sub("stop", "stop a bot", botRequired: true);
        Sub("block", "block a bot (operator token)", botRequired: true, new Option<string>("--reason") { Description = "why (told to the owner)", Required = true });
        Sub("unblock", "lift a block (operator token)", botRequired: true);
        Sub("errors", "the bot's latest errors", botRequired: true);
        Sub("notifications", "the latest monitoring messages and whether they were delivered", botRequired: false);
        Sub("payments", "the bot's latest charge attempts: order, payment, amount, state", botRequired: true);
        return admin;
    }

    /// <summary>Exit codes: 0 done, 1 refused or unreachable, 2 usage.</summary>
    public static async Task<int> RunAsync(string command, string? bot, string? reason, string url, string? token, ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(io);
        var (stdout, stderr) = (io.Out, io.Error);
        if (command == "block" && string.IsNullOrWhiteSpace(reason))
        {
            await stderr.WriteLineAsync(CliMessages.Admin_BlockNeedsReason).ConfigureAwait(false);
            return CommandLine.Usage;
        }

        token ??= FindToken();
        if (token is null)
        {
            await stderr.WriteLineAsync(Messages.Format(CliMessages.Admin_NoToken, KakaoFlowEnvironment.AdminToken, AdminTokenFile.Name)).ConfigureAwait(false);
            return 1;
        }

        if (!Uri.TryCreate(url.Split(';')[0].TrimEnd('/') + "/", UriKind.Absolute, out var root))
        {
            await stderr.WriteLineAsync(Messages.Format(CliMessages.Admin_NotAUrl, url)).ConfigureAwait(false);
            return CommandLine.Usage;
        }

        using var http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var request = RequestFor(command, bot, reason);
        JsonObject body;
        HttpStatusCode status;
        try
        {
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            status = response.StatusCode;
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            body = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            await stderr.WriteLineAsync($"kakaoflow admin: {new Uri(root, request.RequestUri!)}: {e.Message}").ConfigureAwait(false);
            return CommandLine.Failure;
        }

        if (command is "start" or "stop" or "block" or "unblock")
        {
            await stdout.WriteAsync(ActionOutcome(status, body)).ConfigureAwait(false);
            return status == HttpStatusCode.OK ? CommandLine.Ok : CommandLine.Failure;
        }

        if (status != HttpStatusCode.OK)
        {
            await stderr.WriteLineAsync($"kakaoflow admin: {(int)status}: {(string?)body["error"]}").ConfigureAwait(false);
            return CommandLine.Failure;
        }

        var output = command switch
        {
            "status" when bot is null => StoreLine(body["store"]) + BotsTable(((JsonArray)body["bots"]!).OfType<JsonObject>()),
            "status" => BotDetail(body),
            "errors" => ErrorsTable(body),
            "payments" => PaymentsTable.Render(bot!, body),
            _ => NotificationsTable(body),
        };
        await stdout.WriteAsync(output).ConfigureAwait(false);
        return CommandLine.Ok;
    }

    private static HttpRequestMessage RequestFor(string command, string? bot, string? reason)
    {
        var path = command switch
        {
            "status" when bot is null => "_admin/bots",
            "status" or "errors" => $"_admin/bots/{Uri.EscapeDataString(bot!)}",
            "notifications" => bot is null ? "_admin/notifications" : $"_admin/notifications?bot={Uri.EscapeDataString(bot)}",
            "payments" => $"_admin/bots/{Uri.EscapeDataString(bot!)}/payments",
            _ => $"_admin/bots/{Uri.EscapeDataString(bot!)}/{command}",
        };
        var request = new HttpRequestMessage(command is "status" or "errors" or "notifications" or "payments" ? HttpMethod.Get : HttpMethod.Post, new Uri(path, UriKind.Relative));
        if (command == "block")
        {
            request.Content = new StringContent(JsonSerializer.Serialize(new BlockRequest(reason), AdminJson.Web.BlockRequest), Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>What start, stop, block and unblock print: the outcome, the failed API TEST checks, the bot's row.</summary>
    private static string ActionOutcome(HttpStatusCode status, JsonObject body)
    {
        var text = new StringBuilder();
        text.Append(status == HttpStatusCode.OK ? "" : Messages.Format(CliMessages.Admin_Refused, (int)status)).AppendLine((string?)body["message"] ?? (string?)body["error"]);
        if (body["api_test"] is JsonArray checks && status != HttpStatusCode.OK)
        {
            foreach (var check in checks.OfType<JsonObject>().Where(check => !(bool)check["passed"]!))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  FAIL {(string?)check["check"]} — {(string?)check["why"]}");
            }
        }

        if (body["bot"] is JsonObject botJson)
        {
            text.Append(BotsTable([botJson]));
        }

        return text.ToString();
    }

    private static string? FindToken()
    {
        return KakaoFlowEnvironment.Read(KakaoFlowEnvironment.AdminToken)
            ?? KakaoFlowEnvironment.Read(KakaoFlowEnvironment.OperatorToken)
            ?? (File.Exists(AdminTokenFile.Name) ? File.ReadAllText(AdminTokenFile.Name).Trim() : null);
    }

    /// <summary>Nothing while the data store is fine; a line above the table while it is not.</summary>
    private static string StoreLine(JsonNode? store) =>
        store?["status"]?.GetValue<string>() is "unavailable" ? Messages.Format(CliMessages.Admin_StoreUnavailable, S(store["since"]), S(store["reason"])) + "\n\n" : "";

    private static string BotsTable(IEnumerable<JsonObject> bots) => TextTable.Render(
        [CliMessages.Admin_Column_Bot, CliMessages.Admin_Column_Name, CliMessages.Admin_Column_State, CliMessages.Admin_Column_ErrorsToday, CliMessages.Admin_Column_Sessions, CliMessages.Admin_Column_Friends, CliMessages.Admin_Column_Reason],
        bots.Select(bot => (IReadOnlyList<string>)
        [
            S(bot["id"]), S(bot["name"]), S(bot["state"]),
            bot["error_limit"] is null ? "" : $"{S(bot["errors_today"])}/{S(bot["error_limit"])}",
            S(bot["sessions"]), S(bot["friends"]), S(bot["reason"]),
        ]));

    private static string BotDetail(JsonObject bot)
    {
        var fields = new[] { "id", "name", "state", "reason", "changed_at", "changed_by", "started_at", "day", "errors_today", "error_limit", "sessions", "friends", "version", "flow_status", "monitor_phone", "privacy_consent" };
        var text = new StringBuilder(TextTable.Render([CliMessages.Admin_Column_Field, CliMessages.Admin_Column_Value], fields.Where(bot.ContainsKey).Select(field => (IReadOnlyList<string>)[field, S(bot[field])])));
        if (bot["diagnostics"] is JsonArray { Count: > 0 } diagnostics)
        {
            text.Append('\n').Append(CliMessages.Admin_Diagnostics).Append('\n');
            foreach (var line in diagnostics)
            {
                text.Append("  ").Append(S(line)).Append('\n');
            }
        }

        if (bot["recent_errors"] is JsonArray { Count: > 0 } errors)
        {
            text.Append('\n').Append(Messages.Format(CliMessages.Admin_RecentErrors, errors.Count, S(bot["id"]))).Append('\n');
        }

        return text.ToString();
    }

    private static string ErrorsTable(JsonObject bot) => bot["recent_errors"] is JsonArray { Count: > 0 } errors
        ? TextTable.Render(
            [CliMessages.Admin_Column_At, CliMessages.Admin_Column_User, CliMessages.Admin_Column_Kind, CliMessages.Admin_Column_Location, CliMessages.Admin_Column_Message],
            errors.OfType<JsonObject>().Select(error => (IReadOnlyList<string>)[S(error["at"]), S(error["user"]), S(error["kind"]), S(error["location"]), S(error["message"])]))
        : Messages.Format(CliMessages.Admin_NoErrors, S(bot["id"])) + "\n";

    private static string NotificationsTable(JsonObject body) => TextTable.Render(
        [CliMessages.Admin_Column_At, CliMessages.Admin_Column_Bot, CliMessages.Admin_Column_Kind, CliMessages.Admin_Column_Delivered, CliMessages.Admin_Column_Attempts, CliMessages.Admin_Column_Text],
        ((JsonArray)body["notifications"]!).OfType<JsonObject>().Select(note => (IReadOnlyList<string>)
        [
            S(note["at"]), S(note["bot"]), S(note["kind"]), (bool?)note["delivered"] == true ? S(note["delivered_at"]) : CliMessages.Admin_Pending + (note["last_error"] is null ? "" : $" ({S(note["last_error"])})"),
            S(note["attempts"]), S(note["text"]),
        ]));

    private static string S(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };
}
