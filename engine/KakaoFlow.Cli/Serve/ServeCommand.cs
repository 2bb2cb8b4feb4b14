using System.CommandLine;
using KakaoFlow.Hosting;
using KakaoFlow.Hosting.Admin;
using LiteDB;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Cli.Serve;

/// <summary><c>kakaoflow serve [FLOWS_DIR] [--urls URL] [--data FILE] [--json-logs] [--no-watch] [--notify-url URL]</c>.</summary>
public static class ServeCommand
{
    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var flows = new Argument<string>("FLOWS_DIR")
        {
            Description = "folder of bots, one subfolder with a flow.yaml each",
            DefaultValueFactory = _ => ServeSettings.DefaultFlowsDirectory,
        };
        CommandLine.RefuseOptionLikeValues(flows);
        var urls = new Option<string>("--urls")
        {
            Description = "addresses to listen on, ';'-separated",
            DefaultValueFactory = _ => ServeSettings.DefaultUrls,
        };
        var data = new Option<string>("--data")
        {
            Description = "LiteDB file for sessions, friends and service states (its session journal is kept beside it)",
            DefaultValueFactory = _ => ServeSettings.DefaultDataFile,
        };
        var jsonLogs = new Option<bool>("--json-logs") { Description = "one JSON object per log line (user_keys only as a hash)" };
        var noWatch = new Option<bool>("--no-watch") { Description = "do not reload a bot when its files change (hot reload is on by default)" };
        var notifyUrl = new Option<Uri?>("--notify-url")
        {
            Description = $"webhook for monitoring messages (default: ${KakaoFlowEnvironment.NotifyUrl}; they are always logged)",
            CustomParser = result => ParseHttpUrl(result.Tokens[0].Value, result),
        };
        var webhookSecret = new Option<string?>("--webhook-secret")
        {
            Description = $"every webhook call must carry it in the header X-KakaoFlow-Secret (default: ${KakaoFlowEnvironment.WebhookSecret}; at least 16 characters)",
        };
        var command = new Command(
            "serve",
            $"Serve every bot in FLOWS_DIR on the KakaoTalk auto-reply API until SIGTERM / Ctrl+C. Admin tokens: " +
            $"${KakaoFlowEnvironment.AdminToken} (owner; generated into the data folder when unset), ${KakaoFlowEnvironment.OperatorToken}.")
        {
            flows,
            urls,
            data,
            jsonLogs,
            noWatch,
            notifyUrl,
            webhookSecret,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var notify = parse.GetValue(notifyUrl);
            if (notify is null && KakaoFlowEnvironment.Read(KakaoFlowEnvironment.NotifyUrl) is { } fromEnvironment)
            {
                notify = Uri.TryCreate(fromEnvironment, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" ? parsed : null;
                if (notify is null)
                {
                    await io.Error.WriteLineAsync($"kakaoflow serve: {KakaoFlowEnvironment.NotifyUrl} must be an http or https URL, not '{fromEnvironment}'").ConfigureAwait(false);
                    return CommandLine.Usage;
                }
            }

            var settings = new ServeSettings
            {
                FlowsDirectory = parse.GetValue(flows)!,
                Urls = parse.GetValue(urls)!,
                DataFile = parse.GetValue(data)!,
                JsonLogs = parse.GetValue(jsonLogs),
                Watch = !parse.GetValue(noWatch),
                NotifyUrl = notify,
                AdminToken = KakaoFlowEnvironment.Read(KakaoFlowEnvironment.AdminToken),
                OperatorToken = KakaoFlowEnvironment.Read(KakaoFlowEnvironment.OperatorToken),
                WebhookSecret = parse.GetValue(webhookSecret) ?? KakaoFlowEnvironment.Read(KakaoFlowEnvironment.WebhookSecret),
                Scripts = ScriptEngine.CreateWarmCompiler(),
            };
            return await RunAsync(settings, io).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Serves until SIGTERM / Ctrl+C. Exit codes: 0 stopped normally, 1 could not start.</summary>
    public static async Task<int> RunAsync(ServeSettings settings, ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(io);
        if (!Directory.Exists(settings.FlowsDirectory))
        {
            await io.Error.WriteLineAsync($"kakaoflow serve: the flows folder '{settings.FlowsDirectory}' does not exist").ConfigureAwait(false);
            return CommandLine.Failure;
        }

        WebApplication app;
        try
        {
            app = ServeApp.Build(settings);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LiteException)
        {
            await io.Error.WriteLineAsync($"kakaoflow serve: cannot open the data file '{settings.DataFile}': {e.Message}").ConfigureAwait(false);
            return CommandLine.Failure;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await io.Error.WriteLineAsync($"kakaoflow serve: cannot listen on {settings.Urls}: {e.Message}").ConfigureAwait(false);
                return CommandLine.Failure;
            }
            catch (KakaoFlowStartException e)
            {
                await io.Error.WriteLineAsync($"kakaoflow serve: {e.Message}").ConfigureAwait(false);
                return CommandLine.Failure;
            }
            catch (OptionsValidationException e)
            {
                await io.Error.WriteLineAsync($"kakaoflow serve: {string.Join(" ", e.Failures)}").ConfigureAwait(false);
                return CommandLine.Usage;
            }

            await PrintBotsAsync(app, settings, io.Out).ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }

        return CommandLine.Ok;
    }

    private static async Task PrintBotsAsync(WebApplication app, ServeSettings settings, TextWriter stdout)
    {
        var root = app.Urls.First().TrimEnd('/');
        var refused = new List<string>();
        foreach (var bot in app.Services.GetRequiredService<BotViews>().All())
        {
            if (!bot.Served)
            {
                refused.Add(bot.Id);
                continue;
            }

            var state = bot.State == "running" ? bot.State : $"{bot.State} ({bot.Reason})";
            await stdout.WriteLineAsync($"serving {bot.Id} ({bot.Name}) at {root}/{bot.Id}/ — {state}").ConfigureAwait(false);
        }

        if (refused.Count > 0)
        {
            await stdout.WriteLineAsync($"not served (errors above): {string.Join(", ", refused)}").ConfigureAwait(false);
        }

        var reload = settings.Watch ? $"reloading bots when {settings.FlowsDirectory} changes" : "not watching for changes";
        await stdout.WriteLineAsync($"listening on {string.Join(", ", app.Urls)}; data in {settings.DataFile}; {reload}; Ctrl+C to stop").ConfigureAwait(false);
    }

    private static Uri? ParseHttpUrl(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }

        result.AddError($"--notify-url must be an http or https URL, not '{text}'");
        return null;
    }
}
