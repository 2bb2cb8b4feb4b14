using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using KakaoFlow.Cli.Admin;
using KakaoFlow.Cli.ApiTest;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Cli.Serve;

namespace KakaoFlow.Cli;

/// <summary>
/// The <c>kakaoflow</c> commands, parsed by System.CommandLine: <c>--help</c> on every command, one wording for usage
/// mistakes. Exit codes: 0 ok, 1 failure (errors found, tests differ, refused), 2 usage. Every command speaks the
/// language of <see cref="CliLanguage"/> (<c>--lang ko|en</c>, <c>$KAKAOFLOW_LANG</c>, the locale).
/// </summary>
/// <remarks>
/// System.CommandLine rather than Spectre.Console.Cli: it is the .NET team's parser (the SDK's own), binds typed
/// options without reflection or DI, takes the output writers per invocation (so tests capture them), and needs no
/// rendering library — our output is plain lines and small tables.
/// </remarks>
public static class CommandLine
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, Console.In, stdout, stderr);

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return await RunAsync(args, new ConsoleIo(stdin, stdout, stderr)).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(string[] args, ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(io);

        // Before the commands are built: their descriptions are read in this language. The culture flows with this
        // call (and what it starts) only; the caller's stays as it was.
        var language = CliLanguage.Resolve(args, io.Environment);
        CultureInfo.CurrentUICulture = language.Culture;
        if (language.BadVariable is { } bad)
        {
            await io.Error.WriteLineAsync(Messages.Format(CliMessages.Language_BadVariable, CliLanguage.Variable, bad)).ConfigureAwait(false);
            return Usage;
        }

        var root = Build(io);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            return await UsageErrorAsync(root, parsed, io).ConfigureAwait(false);
        }

        // SIGTERM and Ctrl+C belong to the commands (serve stops gracefully through the host), not to the parser.
        var configuration = new InvocationConfiguration
        {
            Output = new HelpWriter(io.Out),
            Error = io.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        return await parsed.InvokeAsync(configuration).ConfigureAwait(false);
    }

    internal static Command Build(ConsoleIo io)
    {
        // A plain command rather than RootCommand, whose name would be the host process's (testhost, dotnet).
        var root = new Command("kakaoflow", "KakaoTalk chatbots written as YAML flows: check, test, chat, serve.");
        root.Options.Add(new HelpOption());
        root.Options.Add(LanguageOption());
        root.Subcommands.Add(CheckCommand.Create(io));
        root.Subcommands.Add(TestCommand.Create(io));
        root.Subcommands.Add(ChatCommand.Create(io));
        root.Subcommands.Add(Graph.GraphCommand.Create(io));
        root.Subcommands.Add(Sim.SimCommand.Create(io));
        root.Subcommands.Add(ServeCommand.Create(io));
        root.Subcommands.Add(ApiTestCommand.Create(io));
        root.Subcommands.Add(AdminCommand.Create(io));
        root.Subcommands.Add(NewCommand.Create(io));
        HelpTexts.Apply(root);
        return root;
    }

    /// <summary><c>--lang ko|en</c> on every command; <see cref="CliLanguage"/> has read it before parsing, this makes it valid.</summary>
    private static Option<string> LanguageOption()
    {
        var option = new Option<string>(CliLanguage.Option) { Recursive = true, HelpName = "ko|en" };
        option.Validators.Add(result =>
        {
            if (result.Tokens is [{ } token, ..] && CliLanguage.Parse(token.Value) is null)
            {
                result.AddError(Messages.Format(CliMessages.Language_BadOption, token.Value));
            }
        });
        return option;
    }

    private static async Task<int> UsageErrorAsync(Command root, ParseResult parsed, ConsoleIo io)
    {
        var path = CommandPath(parsed.CommandResult);
        var name = string.Join(' ', ["kakaoflow", .. path]);
        foreach (var error in parsed.Errors)
        {
            await io.Error.WriteLineAsync($"{name}: {error.Message}").ConfigureAwait(false);
        }

        return UsageWithHelp(root, path, io);
    }

    /// <summary>Prints the help of the command at <paramref name="path"/> to stderr; returns <see cref="Usage"/>.</summary>
    private static int UsageWithHelp(Command root, IReadOnlyList<string> path, ConsoleIo io)
    {
        io.Error.WriteLine();
        root.Parse([.. path, "--help"]).Invoke(new InvocationConfiguration { Output = new HelpWriter(io.Error), Error = io.Error });
        return Usage;
    }

    private static List<string> CommandPath(CommandResult? result)
    {
        var path = new List<string>();
        for (var current = result; current?.Parent is CommandResult parent; current = parent)
        {
            path.Insert(0, current.Command.Name);
        }

        return path;
    }

    /// <summary>Zero or more paths (the commands default to <c>flows</c> themselves); an option-like word is an error.</summary>
    internal static Argument<string[]> PathsArgument(string description)
    {
        var paths = new Argument<string[]>("PATH") { Description = description, Arity = ArgumentArity.ZeroOrMore };
        RefuseOptionLikeValues(paths);
        return paths;
    }

    /// <summary>Turns arguments that look like options into "unknown option" errors (a path never starts with '-').</summary>
    internal static void RefuseOptionLikeValues(Argument argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(token => token.Value.StartsWith('-')))
            {
                result.AddError(Messages.Format(CliMessages.Usage_UnknownOption, token.Value));
            }
        });
    }
}

/// <summary>The streams a command reads and writes; the real console, or a test's writers.</summary>
public sealed record ConsoleIo(TextReader In, TextWriter Out, TextWriter Error)
{
    /// <summary>How <see cref="Out"/> shows colour: from the writer unless set.</summary>
    public Terminal Terminal { get; init; } = Terminal.For(Out);

    /// <summary>Reads an environment variable for the language choice (<see cref="CliLanguage"/>): the process's unless set.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
