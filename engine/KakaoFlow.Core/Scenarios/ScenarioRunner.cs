using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Payments;
using KakaoFlow.Runtime;
using KakaoFlow.Skill;
using KakaoFlow.Resources;

namespace KakaoFlow.Scenarios;

/// <summary>
/// Plays a <see cref="Scenario"/> against a compiled flow through the same <see cref="FlowRuntime"/> and hook
/// sandbox as the server, with an in-memory bot data store and a fake clock, and writes the transcript.
/// Deterministic: the same flow and scenario always give the same text. With <c>channel: skill</c> the turns go
/// through <see cref="SkillTurns"/> as on <c>POST /skill</c>, and the transcript shows what Open Builder shows.
/// </summary>
public sealed class ScenarioRunner
{
    /// <summary>Where every scenario's clock starts (a Monday morning in Seoul), so <c>now()</c> is the same on every run.</summary>
    public static DateTimeOffset ClockStart { get; } = new(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(9));

    private readonly CompiledFlow _flow;
    private readonly string? _sourceRoot;

    /// <param name="flow">The flow to play against.</param>
    /// <param name="sourceRoot">The bot folder: file names in the transcript (hook errors, logs) are shown relative to it, so the text does not depend on where the repository lives.</param>
    public ScenarioRunner(CompiledFlow flow, string? sourceRoot = null)
    {
        ArgumentNullException.ThrowIfNull(flow);
        _flow = flow;
        _sourceRoot = sourceRoot;
    }

    /// <summary>What the flow decides about a scenario: a <c>start</c> that names no step (KF041).</summary>
    public static IReadOnlyList<Diagnostic> Check(CompiledFlow flow, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.Start is not { } start || flow.FindStep(start.Value) is not null)
        {
            return [];
        }

        var named = flow.Steps.Keys.Where(k => !k.Contains('/', StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var suggestion = DidYouMean.Suggest(start.Value, [Session.HomeStepId, .. named]);
        var hint = suggestion is not null
            ? Text.Of(Messages.Hint_DidYouMean, suggestion)
            : named.Count > 0 ? Text.Of(Messages.Hint_Steps, $"{Session.HomeStepId}, {string.Join(", ", named)}") : Text.Of(Messages.Hint_StartNoNamedSteps);
        return [DiagnosticCodes.UnknownStartStep.Create(start.Span, start.Value) with { Hint = hint }];
    }

    /// <summary>
    /// Plays the scenario (which must have passed <see cref="Check"/>) and returns its transcript. The transcript is
    /// compared with a verified file that every owner of the bot shares, so the messages in it (a hook's error) are
    /// in English whatever the UI language.
    /// </summary>
    public string Run(Scenario scenario, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var language = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            return Play(scenario, cancellation);
        }
        finally
        {
            CultureInfo.CurrentUICulture = language;
        }
    }

    private string Play(Scenario scenario, CancellationToken cancellation)
    {
        var writer = new TranscriptWriter(_sourceRoot, scenario.Channel);
        writer.Header(scenario, _flow, ClockStart);

        var playback = new Playback(_flow, writer, scenario.Vars, scenario.Channel, cancellation);
        playback.Start(scenario.Start?.Value ?? Session.HomeStepId);
        for (var i = 0; i < scenario.Turns.Length; i++)
        {
            playback.Play(i + 1, scenario.Turns[i]);
        }

        return writer.ToString();
    }

    /// <summary>One run of a scenario: the clock, every user's session and who is talking now.</summary>
    private sealed class Playback
    {
        private readonly CompiledFlow _flow;
        private readonly TranscriptWriter _writer;
        private readonly CancellationToken _cancellation;
        private readonly CollectingLog _log = new();
        private readonly FlowRuntime _runtime;
        private readonly PaymentService _payments;
        private readonly Dictionary<string, Session> _sessions;
        private readonly bool _skill;
        private string _user = Scenario.DefaultUser;
        private DateTimeOffset _now = ClockStart;

        public Playback(CompiledFlow flow, TranscriptWriter writer, IEnumerable<KeyValuePair<string, JsonElement>> vars, ScenarioChannel channel, CancellationToken cancellation)
        {
            _flow = flow;
            _skill = channel == ScenarioChannel.Skill;
            _writer = writer;
            _cancellation = cancellation;
            _payments = ScenarioPayments.Create();
            _runtime = new FlowRuntime(new HookServices(new InMemoryBotDataStore(), _log) { Payments = _payments });
            _sessions = new Dictionary<string, Session>(StringComparer.Ordinal)
            {
                [Scenario.DefaultUser] = Session.New with { Vars = ImmutableDictionary.CreateRange(StringComparer.Ordinal, vars) },
            };
        }

        /// <summary>Home shows its keyboard as on entering the chat room; any other step is entered as if a button led there.</summary>
        public void Start(string step)
        {
            if (step == Session.HomeStepId)
            {
                _writer.Open(_flow.HomeKeyboard);
                return;
            }

            var before = _sessions[_user];
            var entered = _runtime.Enter(_flow, before, step, _now, _cancellation);
            var result = _skill ? SkillTurns.OnPage(entered, 0) : entered;
            _sessions[_user] = result.Session;
            _writer.Start(step, before, result, _log.Drain());
        }

        public void Play(int number, ScenarioTurn turn)
        {
            switch (turn)
            {
                case WaitTurn wait:
                    _now += wait.Duration;
                    _writer.Wait(number, wait, _now);
                    break;

                case SwitchUserTurn switchUser:
                    _user = switchUser.User;
                    var isNew = _sessions.TryAdd(_user, Session.New);
                    _writer.SwitchUser(number, _user, isNew);
                    break;

                case UserTextTurn text:
                    Send(number, Turn.Text(text.Text));
                    break;

                case UserPhotoTurn photo:
                    Send(number, Turn.Photo(photo.Url));
                    break;

                case RegisterCardTurn card:
                    _writer.RegisterCard(number, _user, card.Number, ScenarioPayments.Register(_payments, _flow.BotId, _user, card.Number, _now));
                    break;
            }
        }

        private void Send(int number, Turn turn)
        {
            var before = _sessions[_user];
            turn = turn with { User = _user };
            var result = _skill
                ? SkillTurns.Step(_runtime.Step, _flow, before, turn, _now, _cancellation)
                : _runtime.Step(_flow, before, turn, _now, _cancellation);
            _sessions[_user] = result.Session;
            _writer.Turn(number, _user, turn, before, result, _log.Drain());
        }
    }

    /// <summary>Hook <c>log()</c> lines of the current turn, shown in the transcript under that turn.</summary>
    private sealed class CollectingLog : IHookLog
    {
        private readonly List<(SourceSpan Location, string Message)> _lines = [];

        public void Write(string botId, SourceSpan location, string message)
        {
            lock (_lines)
            {
                _lines.Add((location, message));
            }
        }

        public (SourceSpan Location, string Message)[] Drain()
        {
            lock (_lines)
            {
                var lines = _lines.ToArray();
                _lines.Clear();
                return lines;
            }
        }
    }

    /// <summary>
    /// The transcript's text form: one item per line, Korean as is, every reply line indented under the turn
    /// that caused it, so a diff shows at a glance which turn changed and how.
    /// </summary>
    private sealed class TranscriptWriter(string? sourceRoot, ScenarioChannel channel)
    {
        private bool Skill => channel == ScenarioChannel.Skill;

        private readonly List<string> _lines = [];

        public void Header(Scenario scenario, CompiledFlow flow, DateTimeOffset clock)
        {
            _lines.Add("scenario: " + scenario.Name);
            _lines.Add("flow: " + flow.Name);
            if (Skill)
            {
                _lines.Add("channel: skill");
            }

            _lines.Add("clock: " + Time(clock));
            if (scenario.Vars.Length > 0)
            {
                _lines.Add("vars:");
                foreach (var (name, value) in scenario.Vars)
                {
                    _lines.Add($"  {name} = {ReadableJson.Write(value)}");
                }
            }
        }

        public void Open(Keyboard home)
        {
            _lines.Add("");
            _lines.Add("[start] home");
            if (Skill)
            {
                _lines.Add(SkillTranscript.BeforeFirstAnswer);
                return;
            }

            _lines.AddRange(ReplyFormatter.Transcript.KeyboardLines(home));
        }

        public void Start(string step, Session before, StepResult result, IReadOnlyList<(SourceSpan, string)> logs)
        {
            _lines.Add("");
            _lines.Add("[start] " + step);
            ReplyLines(before, result, logs);
        }

        public void Wait(int number, WaitTurn wait, DateTimeOffset now)
        {
            _lines.Add("");
            _lines.Add($"[{Number(number)}] wait: {wait.Written} → {Time(now)}");
        }

        public void SwitchUser(int number, string user, bool isNew)
        {
            _lines.Add("");
            _lines.Add($"[{Number(number)}] as: {user}{(isNew ? " (new user)" : "")}");
        }

        public void RegisterCard(int number, string user, string typed, CardRegistrationOutcome outcome)
        {
            var who = user == Scenario.DefaultUser ? "" : $" ({user})";
            _lines.Add("");
            _lines.Add($"[{Number(number)}] register_card{who}: {Shown(typed)}");
            _lines.Add(outcome.Card is { } card ? $"  card: {card.Brand} ****{card.Last4}" : $"  refused: {outcome.Problem}");
        }

        public void Turn(int number, string user, Turn turn, Session before, StepResult result, IReadOnlyList<(SourceSpan, string)> logs)
        {
            var who = user == Scenario.DefaultUser ? "" : $" ({user})";
            var what = turn.Kind == TurnKind.Photo ? "photo" : "user";
            _lines.Add("");
            _lines.Add($"[{Number(number)}] {what}{who}: {Shown(turn.Content)}");
            ReplyLines(before, result, logs);
        }

        private void ReplyLines(Session before, StepResult result, IReadOnlyList<(SourceSpan Location, string Message)> logs)
        {
            if (result.IsFallback)
            {
                _lines.Add("  fallback: matched no button");
            }

            if (Skill)
            {
                _lines.AddRange(SkillTranscript.Lines(result.Reply));
            }
            else
            {
                _lines.AddRange(ReplyFormatter.Transcript.MessageLines(result.Reply.Message));
                _lines.AddRange(ReplyFormatter.Transcript.KeyboardLines(result.Reply.Keyboard));
            }

            var session = result.Session;
            var page = session.Page == 0 ? "" : $" (quick replies page {session.Page + 1})";
            _lines.Add("  step: " + session.StepId + (session.Choice is null ? "" : " (buttons from a hook)") + page);
            VariableChanges(before.Vars, session.Vars);

            foreach (var (location, line) in logs)
            {
                _lines.Add($"  log: {Where(location)}: {line}");
            }

            foreach (var issue in result.Issues)
            {
                _lines.Add(ReplyFormatter.Transcript.IssueLine(issue, Where));
            }
        }

        private void VariableChanges(ImmutableDictionary<string, JsonElement> before, ImmutableDictionary<string, JsonElement> after)
        {
            var changes = new List<string>();
            foreach (var name in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
            {
                var had = before.TryGetValue(name, out var old);
                var has = after.TryGetValue(name, out var now);
                if (had && !has)
                {
                    changes.Add($"    - {name}");
                }
                else if (has && (!had || ReadableJson.Write(old) != ReadableJson.Write(now)))
                {
                    changes.Add($"    {(had ? "~" : "+")} {name} = {ReadableJson.Write(now)}");
                }
            }

            if (changes.Count > 0)
            {
                _lines.Add("  vars:");
                _lines.AddRange(changes);
            }
        }

        private string Where(SourceSpan span)
        {
            var file = span.File;
            if (sourceRoot is not null)
            {
                var relative = Path.GetRelativePath(Path.GetFullPath(sourceRoot), Path.GetFullPath(file));
                if (!relative.StartsWith("..", StringComparison.Ordinal))
                {
                    file = relative;
                }
            }

            return $"{file.Replace('\\', '/')}:{span.Line}:{span.Column}";
        }

        /// <summary>What the user sent, quoted (JSON) when spaces at the ends or line breaks would be invisible or lost.</summary>
        private static string Shown(string content) =>
            content.Length == 0 || content.Trim() != content || content.Contains('\n', StringComparison.Ordinal)
                ? ReadableJson.Write(FlowValues.Text(content))
                : content;

        private static string Number(int number) => number.ToString(CultureInfo.InvariantCulture);

        private static string Time(DateTimeOffset time) =>
            time.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

        public override string ToString() => string.Join("\n", _lines) + "\n";
    }
}
