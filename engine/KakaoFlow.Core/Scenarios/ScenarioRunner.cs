using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Runtime;

namespace KakaoFlow.Scenarios;

/// <summary>
/// Plays a <see cref="Scenario"/> against a compiled flow through the same <see cref="FlowRuntime"/> and hook
/// sandbox as the server, with an in-memory bot data store and a fake clock, and writes the transcript.
/// Deterministic: the same flow and scenario always give the same text.
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
            ? $"did you mean '{suggestion}'?"
            : named.Count > 0 ? $"steps: {Session.HomeStepId}, {string.Join(", ", named)}" : "this flow has no named steps; use home";
        return [DiagnosticCodes.UnknownStartStep.Create(start.Span, start.Value) with { Hint = hint }];
    }

    /// <summary>Plays the scenario (which must have passed <see cref="Check"/>) and returns its transcript.</summary>
    public string Run(Scenario scenario, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var log = new CollectingLog();
        var runtime = new FlowRuntime(new HookServices(new InMemoryBotDataStore(), log));
        var writer = new TranscriptWriter(_sourceRoot);
        var now = ClockStart;

        writer.Header(scenario, _flow, now);

        var vars = ImmutableDictionary.CreateRange(StringComparer.Ordinal, scenario.Vars);
        var sessions = new Dictionary<string, Session>(StringComparer.Ordinal)
        {
            [Scenario.DefaultUser] = Session.New with { Vars = vars },
        };
        var user = Scenario.DefaultUser;

        var startStep = scenario.Start?.Value ?? Session.HomeStepId;
        if (startStep == Session.HomeStepId)
        {
            writer.Open(_flow.HomeKeyboard);
        }
        else
        {
            var before = sessions[user];
            var result = runtime.Enter(_flow, before, startStep, now, cancellation);
            sessions[user] = result.Session;
            writer.Start(startStep, before, result, log.Drain());
        }

        for (var i = 0; i < scenario.Turns.Length; i++)
        {
            var number = i + 1;
            switch (scenario.Turns[i])
            {
                case WaitTurn wait:
                    now += wait.Duration;
                    writer.Wait(number, wait, now);
                    break;

                case SwitchUserTurn switchUser:
                    user = switchUser.User;
                    var isNew = sessions.TryAdd(user, Session.New);
                    writer.SwitchUser(number, user, isNew);
                    break;

                case UserTextTurn text:
                    Send(Turn.Text(text.Text));
                    break;

                case UserPhotoTurn photo:
                    Send(Turn.Photo(photo.Url));
                    break;
            }

            void Send(Turn turn)
            {
                var before = sessions[user];
                var result = runtime.Step(_flow, before, turn, now, cancellation);
                sessions[user] = result.Session;
                writer.Turn(number, user, turn, before, result, log.Drain());
            }
        }

        return writer.ToString();
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

        public IReadOnlyList<(SourceSpan Location, string Message)> Drain()
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
    private sealed class TranscriptWriter(string? sourceRoot)
    {
        private readonly List<string> _lines = [];

        public void Header(Scenario scenario, CompiledFlow flow, DateTimeOffset clock)
        {
            _lines.Add("scenario: " + scenario.Name);
            _lines.Add("flow: " + flow.Name);
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
            KeyboardLines(home);
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

            var message = result.Reply.Message;
            if (message.Text is { } text)
            {
                _lines.Add("  text:");
                foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
                {
                    _lines.Add(line.Length == 0 ? "    |" : "    | " + line);
                }
            }

            if (message.Photo is { } photo)
            {
                _lines.Add($"  photo: {photo.Url} ({photo.Width}x{photo.Height})");
            }

            if (message.Link is { } link)
            {
                _lines.Add($"  link: {link.Label} <{link.Url}>");
            }

            KeyboardLines(result.Reply.Keyboard);
            var session = result.Session;
            _lines.Add("  step: " + session.StepId + (session.Choice is null ? "" : " (buttons from a hook)"));
            VariableChanges(before.Vars, session.Vars);

            foreach (var (location, line) in logs)
            {
                _lines.Add($"  log: {Where(location)}: {line}");
            }

            foreach (var issue in result.Issues)
            {
                var at = issue.Location is { } location ? $" at {Where(location)}" : "";
                var detail = issue.ScriptDetail is null ? "" : " — " + issue.ScriptDetail;
                _lines.Add($"  error: {issue.Kind}{at}: {issue.Message}{detail}");
            }
        }

        private void KeyboardLines(Keyboard keyboard)
        {
            if (keyboard.Kind == KeyboardKind.Text)
            {
                _lines.Add("  keyboard: text (free input)");
                return;
            }

            _lines.Add("  keyboard:");
            foreach (var label in keyboard.Buttons)
            {
                _lines.Add("    - " + label);
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
