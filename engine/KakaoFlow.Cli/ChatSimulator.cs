using System.Globalization;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Payments;
using KakaoFlow.Runtime;
using KakaoFlow.Scenarios;
using KakaoFlow.Scripting;

namespace KakaoFlow.Cli;

/// <summary>
/// <c>kakaoflow chat BOT_DIR</c>: talk to a bot in the terminal the way the KakaoTalk client would, through the
/// same runtime and hook sandbox as the server. Reads lines from <c>input</c> and writes to <c>output</c>, so
/// tests drive it with a <see cref="StringReader"/>. The clock is <c>clock</c> plus every <c>/wait</c>.
/// </summary>
public sealed class ChatSimulator
{
    /// <summary>What <c>/help</c> prints, in the current language.</summary>
    public static string HelpText => CliMessages.Chat_Help;

    private readonly string _botFolder;
    private readonly FlowCompiler _compiler;
    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly Terminal _terminal;
    private readonly TimeProvider _clock;
    private readonly FlowRuntime _runtime;
    private readonly PaymentService _payments = ScenarioPayments.Create();

    private CompiledFlow? _flow;
    private string? _fingerprint;
    private IReadOnlyList<string> _scripts = [];
    private Session _session = Session.New;
    private Keyboard? _keyboard;
    private TimeSpan _waited;

    public ChatSimulator(string botFolder, FlowCompiler compiler, TextReader input, TextWriter output, Terminal terminal, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(botFolder);
        ArgumentNullException.ThrowIfNull(compiler);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(clock);
        _botFolder = botFolder;
        _compiler = compiler;
        _input = input;
        _output = output;
        _terminal = terminal;
        _clock = clock;
        _runtime = new FlowRuntime(new HookServices(new InMemoryBotDataStore(), new ChatLog(this)) { Payments = _payments });
    }

    private string FlowFile => Path.Combine(_botFolder, FlowSource.FlowFileName);

    private DateTimeOffset Now => _clock.GetUtcNow() + _waited;

    /// <summary>The one user of the chat, as <c>pay</c> and the hooks see it.</summary>
    private const string UserKey = "chat-user";

    /// <summary>Runs until <c>/quit</c> or the end of input (exit 0); exit 1 when the flow does not compile at the start.</summary>
    public int Run()
    {
        if (!Reload(initial: true))
        {
            return CommandLine.Failure;
        }

        var flow = _flow!;
        _output.WriteLine(Messages.Format(CliMessages.Chat_Banner, _terminal.Bold($"{flow.Name} ({flow.BotId})")));
        ShowHome();

        while (true)
        {
            _output.Write(_keyboard?.Kind == KeyboardKind.Text ? CliMessages.Chat_TypePrompt : "> ");
            _output.Flush();
            var line = _input.ReadLine();
            if (line is null)
            {
                _output.WriteLine();
                return CommandLine.Ok;
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            Reload(initial: false);
            if (line.StartsWith('/') && !Command(line))
            {
                return CommandLine.Ok;
            }

            if (!line.StartsWith('/'))
            {
                Send(Turn.Text(Resolve(line)));
            }
        }
    }

    /// <summary>A button's number becomes its label (a label itself is sent as is, even when it is a number).</summary>
    private string Resolve(string line)
    {
        if (_keyboard is not { Kind: KeyboardKind.Buttons } keyboard || keyboard.Buttons.Contains(line))
        {
            return line;
        }

        if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= keyboard.Buttons.Length)
        {
            var label = keyboard.Buttons[number - 1];
            _output.WriteLine(_terminal.Cyan("→ " + label));
            return label;
        }

        return line;
    }

    /// <summary>Handles a <c>/command</c>; false means leave.</summary>
    private bool Command(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var name = space < 0 ? line : line[..space];
        var argument = space < 0 ? "" : line[(space + 1)..].Trim();
        switch (name)
        {
            case "/quit" or "/exit":
                return false;

            case "/help":
                _output.WriteLine(HelpText);
                break;

            case "/reset":
                _session = Session.New;
                _payments.RemoveCard(_flow!.BotId, UserKey);
                _output.WriteLine(_terminal.Cyan(CliMessages.Chat_Reset));
                ShowHome();
                break;

            case "/vars":
                _output.WriteLine(ReadableJson.Write(_session.Vars));
                break;

            case "/photo":
                if (!Uri.TryCreate(argument, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    _output.WriteLine(_terminal.Yellow(CliMessages.Chat_PhotoUsage));
                    break;
                }

                Send(Turn.Photo(argument));
                break;

            case "/wait":
                Wait(argument);
                break;

            case "/card":
                RegisterCard(argument);
                break;

            default:
                _output.WriteLine(_terminal.Yellow(Messages.Format(CliMessages.Chat_UnknownCommand, name)));
                break;
        }

        return true;
    }

    private void Wait(string argument)
    {
        if (!Durations.TryParse(argument, out var duration))
        {
            _output.WriteLine(_terminal.Yellow(CliMessages.Chat_WaitUsage));
            return;
        }

        _waited += duration;
        _output.WriteLine(_terminal.Cyan(Messages.Format(CliMessages.Chat_Clock, Time(Now), Durations.Format(duration))));

        // The client keeps the last keyboard for the context lifetime, then shows the Home keyboard again.
        var ttl = _flow!.Settings.ContextTtl;
        if (_session.LastMessageAt is { } last && Now - last >= ttl && _keyboard != _flow.HomeKeyboard)
        {
            _output.WriteLine(_terminal.Cyan(Messages.Format(CliMessages.Chat_Expired, Durations.Format(ttl))));
            ShowHome();
        }
    }

    /// <summary>What a <c>register_card:</c> scenario turn does: the user opens their link and posts the form with this number.</summary>
    private void RegisterCard(string number)
    {
        if (number.Length == 0)
        {
            _output.WriteLine(_terminal.Yellow(CliMessages.Chat_CardUsage));
            return;
        }

        var outcome = ScenarioPayments.Register(_payments, _flow!.BotId, UserKey, number, Now);
        _output.WriteLine(outcome.Card is { } card
            ? _terminal.Cyan(Messages.Format(CliMessages.Chat_CardRegistered, card.Brand, card.Last4))
            : _terminal.Yellow(Messages.Format(CliMessages.Chat_CardRefused, outcome.Problem)));
    }

    private void Send(Turn turn)
    {
        var result = _runtime.Step(_flow!, _session, turn with { User = UserKey }, Now);
        _session = result.Session;
        ShowReply(result);
    }

    /// <summary>As on entering the chat room: the Home keyboard from <c>GET /keyboard</c>, no message.</summary>
    private void ShowHome()
    {
        _output.WriteLine();
        ShowKeyboard(_flow!.HomeKeyboard);
    }

    private void ShowReply(StepResult result)
    {
        _output.WriteLine();
        _output.WriteLine(_terminal.Bold(_flow!.Name));
        WriteLines(ReplyFormatter.Terminal.MessageLines(result.Reply.Message));
        foreach (var issue in result.Issues)
        {
            _output.WriteLine(_terminal.Red(ReplyFormatter.Terminal.IssueLine(issue, location => location.ToString())));
        }

        if (result.Reply.Message.Link?.Url.StartsWith(ScenarioPayments.LinkBase.AbsoluteUri, StringComparison.Ordinal) == true)
        {
            _output.WriteLine(_terminal.Cyan(CliMessages.Chat_CardLinkHint));
        }

        _output.WriteLine(_terminal.Cyan(Messages.Format(CliMessages.Chat_Step, result.Session.StepId)));
        _output.WriteLine();
        ShowKeyboard(result.Reply.Keyboard);
    }

    private void ShowKeyboard(Keyboard keyboard)
    {
        _keyboard = keyboard;
        WriteLines(ReplyFormatter.Terminal.KeyboardLines(keyboard));
    }

    private void WriteLines(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            _output.WriteLine(line);
        }
    }

    /// <summary>
    /// Compiles the flow when flow.yaml or a script it names changed (by content); the host's hot reload looks the same
    /// way (<see cref="FlowFolder"/>). A version with errors is reported in the <c>check</c> format and the previous
    /// one keeps answering.
    /// </summary>
    private bool Reload(bool initial)
    {
        string fingerprint;
        FlowCompilation compilation;
        try
        {
            var read = FlowFolder.Read(_botFolder, _scripts);
            if (read.Fingerprint == _fingerprint)
            {
                return true;
            }

            compilation = read.Compile(_compiler);
            (fingerprint, _scripts) = (read.Fingerprint, read.Scripts);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            fingerprint = "unreadable: " + ex.Message;
            if (fingerprint == _fingerprint)
            {
                return true;
            }

            compilation = new FlowCompilation(null, [FlowSource.Unreadable(FlowFile, ex)]);
        }

        _fingerprint = fingerprint;
        foreach (var diagnostic in compilation.Diagnostics)
        {
            _output.WriteLine(CheckCommand.FormatLine(diagnostic, _terminal));
        }

        if (compilation.Flow is not { } flow)
        {
            _output.WriteLine(_terminal.Red(initial
                ? CliMessages.Chat_FlowHasErrors
                : Messages.Format(CliMessages.Chat_ChangedFlowHasErrors, _flow!.Version)));
            return false;
        }

        if (!initial)
        {
            _output.WriteLine(_terminal.Cyan(Messages.Format(CliMessages.Chat_Reloaded, flow.Version)));
        }

        _flow = flow;
        return true;
    }

    private static string Time(DateTimeOffset time) =>
        time.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " KST";

    /// <summary>Hook <c>log()</c> calls, shown as they happen.</summary>
    private sealed class ChatLog(ChatSimulator chat) : IHookLog
    {
        public void Write(string botId, SourceSpan location, string message) =>
            chat._output.WriteLine(chat._terminal.Cyan($"  log {location}: {message}"));
    }
}
