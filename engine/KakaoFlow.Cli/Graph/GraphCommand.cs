using System.CommandLine;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Compiling;
using KakaoFlow.Introspection;

namespace KakaoFlow.Cli.Graph;

/// <summary>
/// <c>kakaoflow graph BOT_DIR [--format mermaid|dot]</c>: the compiled flow as a diagram on stdout, drawn from the
/// read-only <see cref="FlowInfo"/> of the compiled model. Warnings go to stderr (stdout stays a diagram); a flow with
/// errors prints its diagnostics in the <c>check</c> format to stderr and exits 1.
/// </summary>
public static class GraphCommand
{
    public const string Mermaid = "mermaid";
    public const string Dot = "dot";

    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var bot = new Argument<string>("BOT_DIR") { Description = "the bot folder (or its flow.yaml)" };
        CommandLine.RefuseOptionLikeValues(bot);
        var format = new Option<string>("--format")
        {
            Description = "mermaid (a flowchart for Markdown and the simulator) or dot (Graphviz)",
            DefaultValueFactory = _ => Mermaid,
        };
        format.AcceptOnlyFromAmong(Mermaid, Dot);
        var command = new Command("graph", "Print a bot's compiled flow as a diagram: one node per step, one edge per button, goto, input and hook goto.")
        {
            bot,
            format,
        };
        command.SetAction(parse => Run(parse.GetValue(bot)!, parse.GetValue(format)!, io));
        return command;
    }

    public static int Run(string path, string format, ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(io);
        var found = FlowLocator.Find(path);
        if (found is not [var flowFile])
        {
            io.Error.WriteLine(found is null
                ? Messages.Format(CliMessages.Graph_NotABot, path)
                : Messages.Format(CliMessages.Graph_ManyBots, path, found.Count));
            return CommandLine.Usage;
        }

        var compilation = FlowLocator.Compile(new FlowCompiler(ScriptEngine.CreateCompiler()), flowFile);
        foreach (var diagnostic in compilation.Diagnostics)
        {
            io.Error.WriteLine(diagnostic.Format());
        }

        if (compilation.Flow is not { } flow)
        {
            io.Error.WriteLine(Messages.Format(CliMessages.Graph_HasErrors, flowFile));
            return CommandLine.Failure;
        }

        var info = FlowInfo.Of(flow);
        io.Out.Write(format == Dot ? DotGraph.Write(info) : MermaidGraph.Write(info));
        return CommandLine.Ok;
    }
}
