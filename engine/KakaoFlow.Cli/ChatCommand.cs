using KakaoFlow.Compiling;

namespace KakaoFlow.Cli;

/// <summary><c>kakaoflow chat BOT_DIR</c>: argument checks, then the <see cref="ChatSimulator"/>.</summary>
public static class ChatCommand
{
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, Terminal terminal, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            stderr.WriteLine("usage: kakaoflow chat BOT_DIR");
            return CommandLine.Usage;
        }

        var path = args[0];
        var folder = File.Exists(path) && Path.GetFileName(path) == FlowSource.FlowFileName
            ? Path.GetDirectoryName(path) is { Length: > 0 } d ? d : "."
            : path;
        if (!File.Exists(Path.Combine(folder, FlowSource.FlowFileName)))
        {
            stderr.WriteLine($"kakaoflow chat: '{path}' is not a bot folder (no {FlowSource.FlowFileName} in it)");
            return CommandLine.Usage;
        }

        return new ChatSimulator(folder, new FlowCompiler(ScriptEngine.CreateCompiler()), stdin, stdout, terminal, clock).Run();
    }
}
