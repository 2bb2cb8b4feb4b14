using System.Globalization;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Payments;
using KakaoFlow.Runtime;
using KakaoFlow.Scenarios;
using KakaoFlow.Storage;

namespace KakaoFlow.Cli.Sim;

/// <summary>
/// One simulated KakaoTalk user of one bot: the session the runtime keeps, a clock that moves only when asked, and
/// the conversation so far. Not thread-safe on its own: <see cref="SimUsers"/> hands it out and callers lock it.
/// </summary>
internal sealed class SimUser(string key, DateTimeOffset clock)
{
    /// <summary>The page shows at most this many entries; older ones are dropped.</summary>
    public const int MaxEntries = 400;

    private readonly List<SimEntry> _entries = [];

    public Session Session { get; private set; } = Session.New;

    public DateTimeOffset Now { get; private set; } = clock;

    public IReadOnlyList<SimEntry> Entries => _entries;

    /// <summary>For dropping the least recently used user (real time).</summary>
    public long LastUsed { get; set; }

    /// <summary>One turn through the same runtime and hook sandbox as <c>serve</c>; hook <c>log()</c> lines and problems join the conversation.</summary>
    public void Send(CompiledFlow flow, Turn turn, IBotDataStore data, IHookPayments payments)
    {
        var log = new TurnLog();
        var result = new FlowRuntime(new HookServices(data, log) { Payments = payments }).Step(flow, Session, turn with { User = key }, Now);
        Session = result.Session;
        Add(turn.Kind == TurnKind.Photo ? new SimEntry(SimEntryKind.User, null, new ReplyPhoto(turn.Content, 0, 0), null) : SimEntry.Note(SimEntryKind.User, turn.Content));
        var message = result.Reply.Message;
        Add(new SimEntry(SimEntryKind.Bot, message.Text, message.Photo, message.Link));
        foreach (var (location, line) in log.Lines)
        {
            Add(SimEntry.Note(SimEntryKind.Log, $"log {location}: {line}"));
        }

        foreach (var issue in result.Issues)
        {
            // As `kakaoflow chat` prints it: "! HookError at flows/shop/flow.yaml:22:5: …".
            Add(SimEntry.Note(SimEntryKind.Issue, ReplyFormatter.Terminal.IssueLine(issue, location => location.ToString()).TrimStart()));
        }
    }

    /// <summary>Moves the clock on; says so, and says when the conversation context (or the user's data) ran out.</summary>
    public void Wait(CompiledFlow flow, TimeSpan duration)
    {
        var wasExpired = IsExpired(flow);
        var wasForgotten = IsForgotten(flow);
        Now += duration;
        Add(SimEntry.Note(SimEntryKind.Note, Messages.Format(CliMessages.Sim_Note_Clock, Durations.Format(duration), ClockText)));
        if (!wasExpired && IsExpired(flow))
        {
            Add(SimEntry.Note(SimEntryKind.Note, Messages.Format(CliMessages.Sim_Note_Expired, Durations.Format(flow.Settings.ContextTtl))));
        }

        if (!wasForgotten && IsForgotten(flow))
        {
            Add(SimEntry.Note(SimEntryKind.Note, Messages.Format(CliMessages.Sim_Note_Forgotten, Durations.Format(flow.Settings.Retention))));
        }
    }

    /// <summary>A new user: no variables, no card, Home, an empty conversation. The clock and the bot's data stay.</summary>
    public void Reset(string botId, IHookPayments payments)
    {
        payments.RemoveCard(botId, key);
        Session = Session.New;
        _entries.Clear();
        Add(SimEntry.Note(SimEntryKind.Note, CliMessages.Sim_Note_Reset));
    }

    /// <summary>Past <c>context_ttl</c> the next message starts at Home, as <see cref="FlowRuntime.Step"/> decides.</summary>
    public bool IsExpired(CompiledFlow flow) => Session.LastMessageAt is { } last && Now - last >= flow.Settings.ContextTtl;

    /// <summary>Past <c>retention</c> the next message starts with no variables.</summary>
    public bool IsForgotten(CompiledFlow flow) => Session.LastMessageAt is { } last && Now - last >= flow.Settings.Retention;

    /// <summary>The step whose keyboard the user sees now: Home once the context expired or the step is gone from a new version.</summary>
    public CompiledStep CurrentStep(CompiledFlow flow) =>
        IsExpired(flow) ? flow.Home : flow.FindStep(Session.StepId) ?? flow.Home;

    /// <summary>The keyboard in front of the user, as the runtime's last reply left it (or Home).</summary>
    public Keyboard Keyboard(CompiledFlow flow)
    {
        var step = CurrentStep(flow);
        if (step == flow.Home)
        {
            return flow.HomeKeyboard;
        }

        return Session.Choice is { } choice ? Runtime.Keyboard.OfButtons(choice.Labels) : step.Keyboard ?? flow.HomeKeyboard;
    }

    /// <summary>The variables the next turn starts from.</summary>
    public string VarsJson(CompiledFlow flow) => ReadableJson.Write(IsForgotten(flow) ? [] : Session.Vars);

    /// <summary>The clock as Korean editors read it: <c>2026-01-05 (월) 10:00 KST</c> (<c>(Mon)</c> in English).</summary>
    public string ClockText
    {
        get
        {
            var seoul = Now.ToOffset(TimeSpan.FromHours(9));
            var day = CliMessages.Sim_Clock_Weekdays.Split(',')[(int)seoul.DayOfWeek];
            return string.Create(CultureInfo.InvariantCulture, $"{seoul:yyyy-MM-dd} ({day}) {seoul:HH:mm} KST");
        }
    }

    private void Add(SimEntry entry)
    {
        _entries.Add(entry);
        if (_entries.Count > MaxEntries)
        {
            _entries.RemoveRange(0, _entries.Count - MaxEntries);
        }
    }

    /// <summary>Hook <c>log()</c> lines of one turn.</summary>
    private sealed class TurnLog : IHookLog
    {
        private readonly List<(SourceSpan Location, string Message)> _lines = [];

        public IReadOnlyList<(SourceSpan Location, string Message)> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void Write(string botId, SourceSpan location, string message)
        {
            lock (_lines)
            {
                _lines.Add((location, message));
            }
        }
    }
}

internal enum SimEntryKind
{
    /// <summary>What the user sent (text, or a photo URL).</summary>
    User,

    /// <summary>The bot's reply bubble.</summary>
    Bot,

    /// <summary>The simulator speaking: the clock moved, a new user, the context expired.</summary>
    Note,

    /// <summary>A hook's <c>log()</c> line.</summary>
    Log,

    /// <summary>Something went wrong in the turn (a hook error, a repaired reply).</summary>
    Issue,
}

/// <summary>One line of the conversation as the page shows it.</summary>
internal sealed record SimEntry(SimEntryKind Kind, string? Text, ReplyPhoto? Photo, ReplyLink? Link)
{
    public static SimEntry Note(SimEntryKind kind, string text) => new(kind, text, null, null);
}
