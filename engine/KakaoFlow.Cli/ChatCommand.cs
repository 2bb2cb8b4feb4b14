using System.CommandLine;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Compiling;

namespace KakaoFlow.Cli;

/// <summary><c>kakaoflow chat BOT_DIR</c>: argument checks, then the <see cref="ChatSimulator"/>.</summary>
public static class ChatCommand
{
    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var bot = new Argument<string>("BOT_DIR") { Description = "the bot folder (or its flow.yaml)" };
        CommandLine.RefuseOptionLikeValues(bot);
        var command = new Command("chat", "Talk to a bot in the terminal as the KakaoTalk client would (/help inside for commands).") { bot };
        command.SetAction(parse => Run(parse.GetValue(bot)!, io.In, io.Out, io.Error, io.Terminal, TimeProvider.System));
        return command;
    }

    public static int Run(string path, TextReader stdin, TextWriter stdout, TextWriter stderr, Terminal terminal, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stderr);
        var folder = File.Exists(path) && Path.GetFileName(path) == FlowSource.FlowFileName
            ? Path.GetDirectoryName(path) is { Length: > 0 } d ? d : "."
            : path;
        if (!File.Exists(Path.Combine(folder, FlowSource.FlowFileName)))
        {
            stderr.WriteLine(Messages.Format(CliMessages.Chat_NotABotFolder, path, FlowSource.FlowFileName));
            return CommandLine.Usage;
        }

        return new ChatSimulator(folder, new FlowCompiler(ScriptEngine.CreateCompiler()), stdin, stdout, terminal, clock).Run();
    }
}
