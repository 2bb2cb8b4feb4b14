using System.CommandLine;
using System.Globalization;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KakaoFlow.Cli.Sim;

/// <summary><c>kakaoflow sim [FLOWS_DIR] [--urls URL]</c>: the web simulator for people who edit flows.</summary>
public static class SimCommand
{
    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var flows = new Argument<string>("FLOWS_DIR")
        {
            Description = "folder of bots, one subfolder with a flow.yaml each",
            DefaultValueFactory = _ => SimSettings.DefaultFlowsDirectory,
        };
        CommandLine.RefuseOptionLikeValues(flows);
        var urls = new Option<string>("--urls")
        {
            Description = "addresses to listen on, ';'-separated (keep it on loopback: the simulator runs hooks for anyone who reaches it)",
            DefaultValueFactory = _ => SimSettings.DefaultUrls,
        };
        var command = new Command(
            "sim",
            "A KakaoTalk-like chat page for each bot beside its diagram, reloaded on every save; in-memory users, a clock that moves only when asked. For editing flows, not for serving.")
        {
            flows,
            urls,
        };
        command.SetAction(async (parse, _) =>
        {
            var settings = new SimSettings
            {
                FlowsDirectory = parse.GetValue(flows)!,
                Urls = parse.GetValue(urls)!,
                Language = CultureInfo.CurrentUICulture,
                Scripts = ScriptEngine.CreateWarmCompiler(),
            };
            return await RunAsync(settings, io).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs until Ctrl+C / SIGTERM. Exit codes: 0 stopped normally, 1 could not start.</summary>
    public static async Task<int> RunAsync(SimSettings settings, ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(io);
        if (!Directory.Exists(settings.FlowsDirectory))
        {
            await io.Error.WriteLineAsync(Messages.Format(CliMessages.Sim_NoFolder, settings.FlowsDirectory)).ConfigureAwait(false);
            return CommandLine.Failure;
        }

        var app = SimApp.Build(settings);
        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await io.Error.WriteLineAsync(Messages.Format(CliMessages.Sim_CannotListen, settings.Urls, e.Message)).ConfigureAwait(false);
                return CommandLine.Failure;
            }

            var root = app.Urls.First().TrimEnd('/');
            await io.Out.WriteLineAsync(Messages.Format(CliMessages.Sim_Started, root)).ConfigureAwait(false);
            foreach (var bot in app.Services.GetRequiredService<BotCatalog>().Bots)
            {
                var state = bot.Served ? Messages.Format(CliMessages.Sim_BotServed, bot.Version) : Messages.Format(CliMessages.Sim_BotNotServed, bot.Errors);
                await io.Out.WriteLineAsync($"  {root}/{Uri.EscapeDataString(bot.BotId)} — {bot.Flow?.Name ?? bot.BotId} ({state})").ConfigureAwait(false);
            }

            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }

        return CommandLine.Ok;
    }
}
