namespace KakaoFlow.Cli;

/// <summary>The <c>kakaoflow</c> commands. Exit codes: 0 ok, 1 failure (errors found, tests differ), 2 usage.</summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public const string UsageText = """
        usage: kakaoflow <command> [arguments]

        commands:
          check [PATH...]   compile flows and print every problem (PATH: a bot folder, a flow.yaml, or a folder of bots; default: flows)
          test [PATH...] [--accept]
                            play the scenarios in <bot>/tests/*.yaml and compare each transcript with its .verified.txt
                            (PATH: a scenario, a bot folder, or a folder of bots; default: flows); --accept stores new transcripts
          chat BOT_DIR      talk to a bot in the terminal as the KakaoTalk client would (/help inside for commands)
          serve [FLOWS_DIR] [--urls URL] [--data FILE] [--json-logs] [--no-watch] [--notify-url URL]
                            serve every bot in FLOWS_DIR on the KakaoTalk auto-reply API (kakaoflow serve --help for details)
          apitest BASE_URL  the platform's API TEST against any server: GET BASE_URL/keyboard, one POST BASE_URL/message
          admin status|start|stop|block|unblock|errors|notifications [BOT] [--url URL] [--token TOKEN]
                            service states, errors and monitoring messages of a running serve (admin API)
        """;

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, Console.In, stdout, stderr);

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(UsageText);
            return args.Length == 0 ? Usage : Ok;
        }

        var rest = args[1..];
        switch (args[0])
        {
            case "test":
                return TestCommand.Run(rest, stdout, stderr, Terminal.For(stdout));
            case "chat":
                return ChatCommand.Run(rest, stdin, stdout, stderr, Terminal.For(stdout), TimeProvider.System);
            case "check":
                return CheckCommand.Run(rest, stdout, stderr, Terminal.For(stdout));
            case "serve":
                return await KakaoFlow.Hosting.ServeCommand.RunAsync(rest, stdout, stderr, ScriptEngine.CreateWarmCompiler()).ConfigureAwait(false);
            case "apitest":
                return await KakaoFlow.Hosting.ApiTest.ApiTestCommand.RunAsync(rest, stdout, stderr).ConfigureAwait(false);
            case "admin":
                return await KakaoFlow.Hosting.Admin.AdminCommand.RunAsync(rest, stdout, stderr).ConfigureAwait(false);
            default:
                await stderr.WriteLineAsync($"kakaoflow: unknown command '{args[0]}'").ConfigureAwait(false);
                await stderr.WriteLineAsync(UsageText).ConfigureAwait(false);
                return Usage;
        }
    }
}
