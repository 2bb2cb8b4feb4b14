using KakaoFlow.Hooks;
using KakaoFlow.Scripting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KakaoFlow.Hosting;

/// <summary><c>kakaoflow serve [FLOWS_DIR] [--urls URL] [--data FILE] [--json-logs] [--no-watch]</c>.</summary>
public static class ServeCommand
{
    public const string Usage =
        "usage: kakaoflow serve [FLOWS_DIR] [--urls URL] [--data FILE] [--json-logs] [--no-watch] [--notify-url URL]\n" +
        "  FLOWS_DIR   folder of bots, one subfolder with a flow.yaml each (default: flows)\n" +
        "  --urls URL  addresses to listen on, ';'-separated (default: " + KakaoFlowHostOptions.DefaultUrls + ")\n" +
        "  --data FILE LiteDB file for sessions and friends (default: ./" + KakaoFlowHostOptions.DefaultDataFile + ")\n" +
        "  --json-logs one JSON object per log line (structured fields; user_keys only as a hash)\n" +
        "  --no-watch  do not reload a bot when its files change (hot reload is on by default)\n" +
        "  --notify-url URL  webhook for monitoring messages (default: $KAKAOFLOW_NOTIFY_URL; always logged)\n" +
        "  admin tokens: $KAKAOFLOW_ADMIN_TOKEN (owner; generated into the data folder when unset), $KAKAOFLOW_OPERATOR_TOKEN";

    /// <summary>Serves until SIGTERM / Ctrl+C. Exit codes: 0 stopped normally, 1 could not start, 2 usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IScriptCompiler? scripts)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var options = Parse(args, stderr, scripts);
        if (options is null)
        {
            return 2;
        }

        if (!Directory.Exists(options.FlowsDirectory))
        {
            await stderr.WriteLineAsync($"kakaoflow serve: the flows folder '{options.FlowsDirectory}' does not exist").ConfigureAwait(false);
            return 1;
        }

        WebApplication app;
        try
        {
            app = KakaoFlowHost.Build(options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LiteDB.LiteException)
        {
            await stderr.WriteLineAsync($"kakaoflow serve: cannot open the data file '{options.DataFile}': {e.Message}").ConfigureAwait(false);
            return 1;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await stderr.WriteLineAsync($"kakaoflow serve: cannot listen on {options.Urls}: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            var catalog = app.Services.GetRequiredService<BotCatalog>();
            var urls = string.Join(", ", app.Urls);
            foreach (var flow in catalog.Flows.OrderBy(flow => flow.BotId, StringComparer.Ordinal))
            {
                var state = app.Services.GetRequiredService<Lifecycle.ServiceController>().StateOf(flow);
                await stdout.WriteLineAsync($"serving {flow.BotId} ({flow.Name}) at {app.Urls.First().TrimEnd('/')}/{flow.BotId}/ — {Storage.ServiceStates.Name(state.State)}{(state.State == Storage.ServiceState.Running ? "" : $" ({state.Reason})")}").ConfigureAwait(false);
            }

            if (catalog.Refused.Count > 0)
            {
                await stdout.WriteLineAsync($"not served (errors above): {string.Join(", ", catalog.Refused)}").ConfigureAwait(false);
            }

            var reload = options.Watch ? $"reloading bots when {options.FlowsDirectory} changes" : "not watching for changes";
            await stdout.WriteLineAsync($"listening on {urls}; data in {options.DataFile}; {reload}; Ctrl+C to stop").ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }

        return 0;
    }

    private static KakaoFlowHostOptions? Parse(string[] args, TextWriter stderr, IScriptCompiler? scripts)
    {
        string? flows = null;
        var urls = KakaoFlowHostOptions.DefaultUrls;
        var data = KakaoFlowHostOptions.DefaultDataFile;
        var jsonLogs = false;
        var watch = true;
        var notifyUrl = Environment.GetEnvironmentVariable("KAKAOFLOW_NOTIFY_URL");
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--urls" when i + 1 < args.Length:
                    urls = args[++i];
                    break;
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                case "--notify-url" when i + 1 < args.Length:
                    notifyUrl = args[++i];
                    break;
                case "--json-logs":
                    jsonLogs = true;
                    break;
                case "--no-watch":
                    watch = false;
                    break;
                case "-h" or "--help":
                    stderr.WriteLine(Usage);
                    return null;
                case var _ when arg.StartsWith('-'):
                    stderr.WriteLine($"kakaoflow serve: unknown or incomplete option '{arg}'");
                    stderr.WriteLine(Usage);
                    return null;
                case var _ when flows is null:
                    flows = arg;
                    break;
                default:
                    stderr.WriteLine($"kakaoflow serve: unexpected argument '{arg}'");
                    stderr.WriteLine(Usage);
                    return null;
            }
        }

        Uri? notify = null;
        if (!string.IsNullOrWhiteSpace(notifyUrl)
            && (!Uri.TryCreate(notifyUrl, UriKind.Absolute, out notify) || notify.Scheme is not ("http" or "https")))
        {
            stderr.WriteLine($"kakaoflow serve: --notify-url must be an http or https URL, not '{notifyUrl}'");
            return null;
        }

        return new KakaoFlowHostOptions
        {
            NotifyUrl = notify,
            FlowsDirectory = flows ?? KakaoFlowHostOptions.DefaultFlowsDirectory,
            Urls = urls,
            DataFile = data,
            ScriptCompiler = scripts,
            JsonLogs = jsonLogs,
            Watch = watch,
        };
    }
}
