using System.CommandLine;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Cli;

/// <summary><c>kakaoflow check PATH...</c>: one line per problem (errors, then warnings), a summary of what was shown, exit 1 when any error.</summary>
public static class CheckCommand
{
    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var paths = CommandLine.PathsArgument("a bot folder, a flow.yaml, or a folder of bots (default: flows)");
        var command = new Command("check", "Compile flows and print one line per problem, then a summary (exit 1 on any error).") { paths };
        command.SetAction(parse => Run(parse.GetValue(paths) ?? [], io.Out, io.Error, io.Terminal));
        return command;
    }

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Terminal terminal)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(terminal);
        IReadOnlyList<string> paths = args.Count > 0 ? args : ["flows"];
        var flows = new List<string>();
        foreach (var path in paths)
        {
            var found = FlowLocator.Find(path);
            if (found is null)
            {
                stderr.WriteLine(Messages.Format(CliMessages.Check_NotAFlow, path));
                return CommandLine.Usage;
            }

            flows.AddRange(found);
        }

        // Errors of every bot first, then warnings: an error stops a bot, a warning does not.
        var compiler = new FlowCompiler(ScriptEngine.CreateCompiler());
        var shown = flows.SelectMany(flow => FlowLocator.Compile(compiler, flow).Diagnostics).OrderByDescending(d => d.IsError).ToList();
        foreach (var diagnostic in shown)
        {
            stdout.WriteLine(FormatLine(diagnostic, terminal));
        }

        var errors = shown.Count(d => d.IsError);
        var warnings = shown.Count - errors;

        var summary = Messages.Format(
            CliMessages.Check_Summary,
            Messages.Count(flows.Count, CliMessages.Count_Bots_One, CliMessages.Count_Bots_Other),
            Messages.Count(errors, CliMessages.Count_Errors_One, CliMessages.Count_Errors_Other),
            Messages.Count(warnings, CliMessages.Count_Warnings_One, CliMessages.Count_Warnings_Other));
        stdout.WriteLine(errors > 0 ? terminal.Red(summary) : warnings > 0 ? terminal.Yellow(summary) : terminal.Green(summary));
        return errors > 0 ? CommandLine.Failure : CommandLine.Ok;
    }

    public static string FormatLine(Diagnostic diagnostic, Terminal terminal)
    {
        if (!terminal.Color)
        {
            return diagnostic.Format();
        }

        var severity = diagnostic.IsError ? terminal.Red("error") : terminal.Yellow("warning");
        var hint = diagnostic.Hint is null ? "" : " " + terminal.Cyan($"({diagnostic.Hint})");
        return $"{terminal.Bold(diagnostic.Span.ToString())}: {severity} {diagnostic.Code}: {diagnostic.Message}{hint}";
    }
}
