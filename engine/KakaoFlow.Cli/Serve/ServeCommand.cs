using System.CommandLine;
using System.Globalization;
using System.Text;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Hosting.Admin;
using KakaoFlow.Hosting;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Cli.Serve;

/// <summary><c>kakaoflow serve [FLOWS_DIR] [--urls URL] [--data FILE] [--store redis://HOST:PORT[/DB]] [--durability os|fsync] [--json-logs] [--no-watch] [--notify-url URL] [--public-url URL] [--webhook-secret SECRET]</c>.</summary>
public static class ServeCommand
{
    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var arguments = new ServeArguments();
        var command = new Command(
            "serve",
            $"Serve every bot in FLOWS_DIR on the KakaoTalk auto-reply API until SIGTERM / Ctrl+C. Admin tokens: " +
            $"${KakaoFlowEnvironment.AdminToken} (owner; generated into the data folder when unset), ${KakaoFlowEnvironment.OperatorToken}.");
        arguments.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var notify = parse.GetValue(arguments.NotifyUrl);
            if (notify is null && KakaoFlowEnvironment.Read(KakaoFlowEnvironment.NotifyUrl) is { } fromEnvironment)
            {
                notify = HttpUrl(fromEnvironment);
                if (notify is null)
                {
                    await io.Error.WriteLineAsync("kakaoflow serve: " + Messages.Format(CliMessages.Serve_BadUrl, KakaoFlowEnvironment.NotifyUrl, fromEnvironment)).ConfigureAwait(false);
                    return CommandLine.Usage;
                }
            }

            var settings = arguments.Settings(parse) with { NotifyUrl = notify };
            var storeOption = parse.GetValue(arguments.Store);
            var (redis, storeError) = storeOption is not null
                ? StoreChoice.Parse(storeOption, settings.AdminToken)
                : StoreChoice.Parse(KakaoFlowEnvironment.Read(KakaoFlowEnvironment.Store), settings.AdminToken, "$" + KakaoFlowEnvironment.Store);
            if (storeError is not null)
            {
                await io.Error.WriteLineAsync($"kakaoflow serve: {storeError}").ConfigureAwait(false);
                return CommandLine.Usage;
            }

            var durability = parse.GetValue(arguments.Durability);
            if (durability is not null && redis is not null)
            {
                await io.Error.WriteLineAsync(CliMessages.Serve_DurabilityWithRedis).ConfigureAwait(false);
                return CommandLine.Usage;
            }

            return await RunAsync(settings with { Redis = redis, Durability = durability ?? SessionDurability.Os }, io).ConfigureAwait(false);
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
            await io.Error.WriteLineAsync(Messages.Format(CliMessages.Serve_NoFolder, settings.FlowsDirectory)).ConfigureAwait(false);
            return CommandLine.Failure;
        }

        // The host's logs (and what it reports on the admin API) are for operators, who search them: English
        // whatever the command's language. What serve prints itself stays in the command's language.
        var language = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CliLanguage.EnglishCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CliLanguage.EnglishCulture;
        WebApplication app;
        try
        {
            app = ServeApp.Build(settings);
        }
        catch (StoreException e)
        {
            await io.Error.WriteLineAsync($"kakaoflow serve: {e.Message}{RedisNamed(settings)}").ConfigureAwait(false);
            return CommandLine.Failure;
        }
        catch (OptionsValidationException e)
        {
            // Building the app already reads the options (Kestrel's limits come from them): a bad setting is found here.
            return await InvalidSettingsAsync(io, e).ConfigureAwait(false);
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                // Made before the start, as the start would make them: they open the store and read the admin token file,
                // and a refusal there is reported below as one message (inside StartAsync the host logs it with its stack first).
                _ = app.Services.GetServices<IHostedService>().ToList();
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await io.Error.WriteLineAsync(Messages.In(language, () => Messages.Format(CliMessages.Serve_CannotListen, settings.Urls, e.Message))).ConfigureAwait(false);
                return CommandLine.Failure;
            }
            catch (KakaoFlowStartException e)
            {
                await io.Error.WriteLineAsync($"kakaoflow serve: {e.Message}").ConfigureAwait(false);
                return CommandLine.Failure;
            }
            catch (OptionsValidationException e)
            {
                return await InvalidSettingsAsync(io, e).ConfigureAwait(false);
            }
            catch (StoreException e)
            {
                // Redis not reachable while the bots' states are settled at start-up.
                await io.Error.WriteLineAsync($"kakaoflow serve: {e.Message}{RedisNamed(settings)}").ConfigureAwait(false);
                return CommandLine.Failure;
            }

            await io.Out.WriteAsync(Messages.In(language, () => BotsServed(app, settings))).ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }

        return CommandLine.Ok;
    }

    /// <summary>
    /// Which Redis a store failure is about (no password in it): the client's own message names the server only when its
    /// connection attempt has already failed, not when the first command comes before that.
    /// </summary>
    private static string RedisNamed(ServeSettings settings) => settings.Redis is { } redis ? $" (Redis at {redis})" : "";

    private static async Task<int> InvalidSettingsAsync(ConsoleIo io, OptionsValidationException invalid)
    {
        await io.Error.WriteLineAsync($"kakaoflow serve: {string.Join(" ", invalid.Failures.Select(AsServeSetting))}").ConfigureAwait(false);
        return CommandLine.Usage;
    }

    /// <summary>
    /// The options' validation names a setting as the library does (<c>WebhookSecret must …</c>); on the command line it
    /// is named as the user set it: the flag, and the environment variable it can also come from.
    /// </summary>
    private static string AsServeSetting(string failure)
    {
        foreach (var (option, setting) in ServeSettingNames)
        {
            if (failure.StartsWith(option + " ", StringComparison.Ordinal))
            {
                return setting + failure[option.Length..];
            }
        }

        return failure;
    }

    private static readonly (string Option, string Setting)[] ServeSettingNames =
    [
        (nameof(KakaoFlowOptions.WebhookSecret), $"--webhook-secret (or ${KakaoFlowEnvironment.WebhookSecret})"),
        (nameof(KakaoFlowOptions.NotifyUrl), "--notify-url"),
        (nameof(KakaoFlowOptions.FlowsDirectory), "The flows folder"),
    ];

    private static string BotsServed(WebApplication app, ServeSettings settings)
    {
        var stdout = new StringBuilder();
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
            stdout.AppendLine(Messages.Format(CliMessages.Serve_Serving, bot.Id, bot.Name, $"{root}/{bot.Id}/", state));
        }

        if (refused.Count > 0)
        {
            stdout.AppendLine(Messages.Format(CliMessages.Serve_NotServed, string.Join(", ", refused)));
        }

        var reload = settings.Watch ? Messages.Format(CliMessages.Serve_Watching, settings.FlowsDirectory) : CliMessages.Serve_NotWatching;
        var data = settings.Redis is { } redis ? Messages.Format(CliMessages.Serve_StateInRedis, redis) : Messages.Format(CliMessages.Serve_StateInFile, settings.DataFile);
        stdout.AppendLine(Messages.Format(CliMessages.Serve_Listening, string.Join(", ", app.Urls), data, reload));
        return stdout.ToString();
    }

    private static Uri? HttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : null;

    /// <summary>The command line of <c>serve</c>.</summary>
    private sealed class ServeArguments
    {
        public Argument<string> Flows { get; } = new("FLOWS_DIR")
        {
            Description = "folder of bots, one subfolder with a flow.yaml each",
            DefaultValueFactory = _ => ServeSettings.DefaultFlowsDirectory,
        };

        public Option<string> Urls { get; } = new("--urls")
        {
            Description = "addresses to listen on, ';'-separated",
            DefaultValueFactory = _ => ServeSettings.DefaultUrls,
        };

        public Option<string> Data { get; } = new("--data")
        {
            Description = "LiteDB file for sessions, friends and service states (its session journal is kept beside it); unused with --store redis://…",
            DefaultValueFactory = _ => ServeSettings.DefaultDataFile,
        };

        public Option<string?> Store { get; } = new("--store")
        {
            Description = $"where the state lives: redis://HOST:PORT[/DB] to share it between several serve hosts (no data file; needs ${KakaoFlowEnvironment.AdminToken}, the same on every host; docs/scale-out.md), or litedb for the --data file (default: ${KakaoFlowEnvironment.Store}, else litedb)",
        };

        public Option<SessionDurability?> Durability { get; } = new("--durability")
        {
            HelpName = "os|fsync",
            Description = "when a turn is answered: os (default) once its session is written to the OS (survives a killed process), fsync once it is on the disk (survives a power cut; turns written together share one fsync); LiteDB store only (docs/operations.md)",
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                switch (text)
                {
                    case "os":
                        return SessionDurability.Os;
                    case "fsync":
                        return SessionDurability.Fsync;
                    default:
                        result.AddError(Messages.Format(CliMessages.Serve_BadDurability, text));
                        return null;
                }
            },
        };

        public Option<bool> JsonLogs { get; } = new("--json-logs") { Description = "one JSON object per log line (user_keys only as a hash)" };

        public Option<bool> NoWatch { get; } = new("--no-watch") { Description = "do not reload a bot when its files change (hot reload is on by default)" };

        public Option<Uri?> NotifyUrl { get; } = UrlOption(
            "--notify-url",
            $"webhook for monitoring messages (default: ${KakaoFlowEnvironment.NotifyUrl}; they are always logged)");

        public Option<Uri?> PublicUrl { get; } = UrlOption(
            "--public-url",
            "this host's address as customers' phones reach it, the base of card registration links (default: the first of --urls)");

        public Option<string?> WebhookSecret { get; } = new("--webhook-secret")
        {
            Description = $"every webhook call must carry it in the header X-KakaoFlow-Secret (default: ${KakaoFlowEnvironment.WebhookSecret}; at least 16 characters)",
        };

        /// <summary>An option whose value must be an absolute http(s) URL.</summary>
        private static Option<Uri?> UrlOption(string name, string description) => new(name)
        {
            Description = description,
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                var url = HttpUrl(text);
                if (url is null)
                {
                    result.AddError(Messages.Format(CliMessages.Serve_BadUrl, name, text));
                }

                return url;
            },
        };

        public void AddTo(Command command)
        {
            CommandLine.RefuseOptionLikeValues(Flows);
            command.Arguments.Add(Flows);
            foreach (var option in new Option[] { Urls, Data, Store, Durability, JsonLogs, NoWatch, NotifyUrl, PublicUrl, WebhookSecret })
            {
                command.Options.Add(option);
            }
        }

        public ServeSettings Settings(ParseResult parse) => new()
        {
            FlowsDirectory = parse.GetValue(Flows)!,
            Urls = parse.GetValue(Urls)!,
            DataFile = parse.GetValue(Data)!,
            JsonLogs = parse.GetValue(JsonLogs),
            Watch = !parse.GetValue(NoWatch),
            PublicUrl = parse.GetValue(PublicUrl),
            AdminToken = KakaoFlowEnvironment.Read(KakaoFlowEnvironment.AdminToken),
            OperatorToken = KakaoFlowEnvironment.Read(KakaoFlowEnvironment.OperatorToken),
            WebhookSecret = parse.GetValue(WebhookSecret) ?? KakaoFlowEnvironment.Read(KakaoFlowEnvironment.WebhookSecret),
            Scripts = ScriptEngine.CreateWarmCompiler(),
        };
    }
}
