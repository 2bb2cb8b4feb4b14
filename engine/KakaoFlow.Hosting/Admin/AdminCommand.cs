using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KakaoFlow.Hosting.Admin;

/// <summary><c>kakaoflow admin status|start|stop|block|unblock|errors|notifications [BOT] [--url URL] [--token TOKEN]</c>: the admin API as tables.</summary>
public static class AdminCommand
{
    public const string DefaultUrl = KakaoFlowHostOptions.DefaultUrls;

    public const string Usage =
        "usage: kakaoflow admin COMMAND [BOT] [--reason TEXT] [--url URL] [--token TOKEN]\n" +
        "  status [BOT]          every bot (or one bot in detail): state, reason, today's errors, sessions, friends\n" +
        "  start BOT | stop BOT  start (runs the API TEST first) or stop a bot\n" +
        "  block BOT --reason R  block a bot (operator token)\n" +
        "  unblock BOT           lift a block (operator token)\n" +
        "  errors BOT            the bot's latest errors\n" +
        "  notifications [BOT]   the latest monitoring messages and whether they were delivered\n" +
        "  --url URL             the serving host (default: " + DefaultUrl + ")\n" +
        "  --token TOKEN         default: $KAKAOFLOW_ADMIN_TOKEN, then $KAKAOFLOW_OPERATOR_TOKEN, then ./" + AdminTokens.FileName;

    /// <summary>Exit codes: 0 done, 1 refused or unreachable, 2 usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? command = null, bot = null, reason = null, token = null;
        var url = DefaultUrl;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url" when i + 1 < args.Length:
                    url = args[++i];
                    break;
                case "--token" when i + 1 < args.Length:
                    token = args[++i];
                    break;
                case "--reason" when i + 1 < args.Length:
                    reason = args[++i];
                    break;
                case "-h" or "--help":
                    await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 0;
                case var arg when arg.StartsWith('-'):
                    return await UsageErrorAsync(stderr, $"unknown or incomplete option '{arg}'").ConfigureAwait(false);
                case var arg when command is null:
                    command = arg;
                    break;
                case var arg when bot is null:
                    bot = arg;
                    break;
                default:
                    return await UsageErrorAsync(stderr, $"unexpected argument '{args[i]}'").ConfigureAwait(false);
            }
        }

        var needsBot = command is "start" or "stop" or "block" or "unblock" or "errors";
        if (command is not ("status" or "notifications") && !needsBot)
        {
            return await UsageErrorAsync(stderr, command is null ? "missing command" : $"unknown command '{command}'").ConfigureAwait(false);
        }

        if (needsBot && bot is null)
        {
            return await UsageErrorAsync(stderr, $"'{command}' needs a BOT").ConfigureAwait(false);
        }

        if (command == "block" && string.IsNullOrWhiteSpace(reason))
        {
            return await UsageErrorAsync(stderr, "'block' needs --reason TEXT").ConfigureAwait(false);
        }

        token ??= FindToken();
        if (token is null)
        {
            await stderr.WriteLineAsync($"kakaoflow admin: no token: pass --token, set {AdminTokens.OwnerVariable}, or run where {AdminTokens.FileName} is").ConfigureAwait(false);
            return 1;
        }

        if (!Uri.TryCreate(url.Split(';')[0].TrimEnd('/') + "/", UriKind.Absolute, out var root))
        {
            return await UsageErrorAsync(stderr, $"not a URL: '{url}'").ConfigureAwait(false);
        }

        using var http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var path = command switch
        {
            "status" when bot is null => "_admin/bots",
            "status" or "errors" => $"_admin/bots/{Uri.EscapeDataString(bot!)}",
            "notifications" => bot is null ? "_admin/notifications" : $"_admin/notifications?bot={Uri.EscapeDataString(bot)}",
            _ => $"_admin/bots/{Uri.EscapeDataString(bot!)}/{command}",
        };
        using var request = new HttpRequestMessage(command is "status" or "errors" or "notifications" ? HttpMethod.Get : HttpMethod.Post, path);
        if (command == "block")
        {
            request.Content = new StringContent(new JsonObject { ["reason"] = reason }.ToJsonString(), Encoding.UTF8, "application/json");
        }

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
            await stderr.WriteLineAsync($"kakaoflow admin: {new Uri(root, path)}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        if (command is "start" or "stop" or "block" or "unblock")
        {
            await stdout.WriteLineAsync((status == HttpStatusCode.OK ? "" : $"refused ({(int)status}): ") + ((string?)body["message"] ?? (string?)body["error"])).ConfigureAwait(false);
            if (body["api_test"] is JsonArray checks && status != HttpStatusCode.OK)
            {
                foreach (var check in checks.OfType<JsonObject>().Where(check => !(bool)check["passed"]!))
                {
                    await stdout.WriteLineAsync($"  FAIL {(string?)check["check"]} — {(string?)check["why"]}").ConfigureAwait(false);
                }
            }

            if (body["bot"] is JsonObject botJson)
            {
                await stdout.WriteAsync(BotsTable([botJson])).ConfigureAwait(false);
            }

            return status == HttpStatusCode.OK ? 0 : 1;
        }

        if (status != HttpStatusCode.OK)
        {
            await stderr.WriteLineAsync($"kakaoflow admin: {(int)status}: {(string?)body["error"]}").ConfigureAwait(false);
            return 1;
        }

        var output = command switch
        {
            "status" when bot is null => BotsTable(((JsonArray)body["bots"]!).OfType<JsonObject>()),
            "status" => BotDetail(body),
            "errors" => ErrorsTable(body),
            _ => NotificationsTable(body),
        };
        await stdout.WriteAsync(output).ConfigureAwait(false);
        return 0;
    }

    private static string? FindToken()
    {
        foreach (var variable in new[] { AdminTokens.OwnerVariable, AdminTokens.OperatorVariable })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                return value.Trim();
            }
        }

        return File.Exists(AdminTokens.FileName) ? File.ReadAllText(AdminTokens.FileName).Trim() : null;
    }

    private static string BotsTable(IEnumerable<JsonObject> bots) => TextTable.Render(
        ["BOT", "NAME", "STATE", "ERRORS TODAY", "SESSIONS", "FRIENDS", "REASON"],
        bots.Select(bot => (IReadOnlyList<string>)
        [
            S(bot["id"]), S(bot["name"]), S(bot["state"]),
            bot["error_limit"] is null ? "" : $"{S(bot["errors_today"])}/{S(bot["error_limit"])}",
            S(bot["sessions"]), S(bot["friends"]), S(bot["reason"]),
        ]));

    private static string BotDetail(JsonObject bot)
    {
        var fields = new[] { "id", "name", "state", "reason", "changed_at", "changed_by", "started_at", "day", "errors_today", "error_limit", "sessions", "friends", "version", "flow_status", "monitor_phone", "privacy_consent" };
        var text = new StringBuilder(TextTable.Render(["FIELD", "VALUE"], fields.Where(bot.ContainsKey).Select(field => (IReadOnlyList<string>)[field, S(bot[field])])));
        if (bot["diagnostics"] is JsonArray { Count: > 0 } diagnostics)
        {
            text.Append("\ndiagnostics:\n");
            foreach (var line in diagnostics)
            {
                text.Append("  ").Append(S(line)).Append('\n');
            }
        }

        if (bot["recent_errors"] is JsonArray { Count: > 0 } errors)
        {
            text.Append($"\n{errors.Count} recent error(s): kakaoflow admin errors {S(bot["id"])}\n");
        }

        return text.ToString();
    }

    private static string ErrorsTable(JsonObject bot) => bot["recent_errors"] is JsonArray { Count: > 0 } errors
        ? TextTable.Render(
            ["AT (UTC)", "USER", "KIND", "LOCATION", "MESSAGE"],
            errors.OfType<JsonObject>().Select(error => (IReadOnlyList<string>)[S(error["at"]), S(error["user"]), S(error["kind"]), S(error["location"]), S(error["message"])]))
        : $"no errors recorded for {S(bot["id"])}\n";

    private static string NotificationsTable(JsonObject body) => TextTable.Render(
        ["AT (UTC)", "BOT", "KIND", "DELIVERED", "ATTEMPTS", "TEXT"],
        ((JsonArray)body["notifications"]!).OfType<JsonObject>().Select(note => (IReadOnlyList<string>)
        [
            S(note["at"]), S(note["bot"]), S(note["kind"]), (bool?)note["delivered"] == true ? S(note["delivered_at"]) : "pending" + (note["last_error"] is null ? "" : $" ({S(note["last_error"])})"),
            S(note["attempts"]), S(note["text"]),
        ]));

    private static string S(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };

    private static async Task<int> UsageErrorAsync(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync($"kakaoflow admin: {message}\n{Usage}").ConfigureAwait(false);
        return 2;
    }
}
