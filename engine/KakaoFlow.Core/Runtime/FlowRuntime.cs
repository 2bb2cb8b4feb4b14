using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Resources;

namespace KakaoFlow.Runtime;

/// <summary>
/// One step of a compiled flow's state machine. Pure apart from hooks: the same flow, session, turn
/// and time give the same reply and session. Never throws for anything a user or a flow can cause.
/// </summary>
public sealed class FlowRuntime
{
    /// <summary>More hops than this in one reply means hooks redirect in a circle.</summary>
    public const int MaxHops = 32;

    public FlowRuntime(HookServices? services = null) => Services = services ?? HookServices.None;

    public HookServices Services { get; }

    /// <summary>
    /// False (the default): <see cref="Step"/> and <see cref="Enter"/> commit the turn's effects themselves before they
    /// return. True: the caller does, with <see cref="Commit"/> once the turn's session is to be kept, or
    /// <see cref="Undo"/> when its result is dropped (the host: docs/commerce.md, "Bot data in a turn").
    /// </summary>
    public bool DefersCommit { get; init; }

    public StepResult Step(CompiledFlow flow, Session session, Turn turn, DateTimeOffset now, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(turn);

        var (current, choice, _, forgotten, removed) = Locate(flow, session, now);

        // Past retention the user starts afresh: no variables and no position, whatever the context lifetime.
        var vars = forgotten ? session.Vars.Clear() : session.Vars;
        var turnState = new TurnState(this, flow, turn, now, vars, cancellation);
        if (removed)
        {
            // An edit removed the user's step: what they sent was meant for it, so it is not read as a Home button.
            return turnState.StepRemoved();
        }

        return Settle(flow.BotId, current.Input is { } input && choice is null
            ? turnState.Answer(current, input)
            : turnState.Press(current, choice), now);
    }

    /// <summary>
    /// Keeps what a turn did: writes its buffered bot data changes (all at once, <see cref="Storage.IBotDataStore.Apply"/>); for
    /// a failed turn, voids its charges instead (<see cref="Undo"/>).
    /// </summary>
    public void Commit(string botId, TurnEffects effects, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(effects);
        if (effects.Failed)
        {
            Undo(botId, effects, now);
            return;
        }

        if (effects.DataChanges.Count > 0)
        {
            (Services.Data ?? throw new InvalidOperationException("a turn wrote bot data, but this runtime has no data store")).Apply(botId, effects.DataChanges);
        }
    }

    /// <summary>
    /// Drops what a turn did: its data changes are never written and every charge it made is refunded (code
    /// <c>turn_failed</c>), for a turn that failed, ran late or whose session could not be written.
    /// </summary>
    public void Undo(string botId, TurnEffects effects, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(effects);
        foreach (var payment in effects.Charges)
        {
            Services.Payments?.Void(botId, payment, now);
        }
    }

    private StepResult Settle(string botId, StepResult result, DateTimeOffset now)
    {
        if (!DefersCommit && !result.Effects.IsEmpty)
        {
            Commit(botId, result.Effects, now);
        }

        return result;
    }

    /// <summary>
    /// Shows a step as if a button had just led there (<c>set</c>, <c>js</c>, reply, keyboard), with no user turn:
    /// a test scenario's <c>start:</c> uses it to begin at a deep node.
    /// </summary>
    public StepResult Enter(CompiledFlow flow, Session session, string stepId, DateTimeOffset now, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(stepId);
        return Settle(flow.BotId, new TurnState(this, flow, null, now, session.Vars, cancellation).Enter(stepId), now);
    }

    /// <summary>
    /// The keyboard in front of the user at <paramref name="now"/>, as the next turn will match it; null when the
    /// context has expired (or the user is new), so the next turn starts from Home afresh.
    /// </summary>
    public static Keyboard? KeyboardShown(CompiledFlow flow, Session session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(session);
        var (current, choice, expired, _, _) = Locate(flow, session, now);
        if (expired)
        {
            return null;
        }

        return choice is not null ? Keyboard.OfButtons(choice.Labels) : current.Keyboard ?? flow.HomeKeyboard;
    }

    /// <summary>
    /// Where a session stands at <paramref name="now"/>: its step (Home once the context expired, or when an edit
    /// removed the step) and a hook's buttons.
    /// </summary>
    private static (CompiledStep Current, DynamicChoice? Choice, bool Expired, bool Forgotten, bool Removed) Locate(CompiledFlow flow, Session session, DateTimeOffset now)
    {
        var elapsed = session.LastMessageAt is { } last ? now - last : (TimeSpan?)null;
        var forgotten = elapsed >= flow.Settings.Retention;
        var expired = elapsed is null || forgotten || elapsed >= flow.Settings.ContextTtl;
        var found = expired ? flow.Home : flow.FindStep(session.StepId);
        var current = found ?? flow.Home;
        var choice = expired || current == flow.Home ? null : session.Choice;
        return (current, choice, expired, forgotten, found is null);
    }

    /// <summary>The Home keyboard with <c>messages.home</c>, e.g. for a user who just arrived.</summary>
    public static Reply HomeReply(CompiledFlow flow) => new(new ReplyMessage(flow.Messages.Home, null, null), flow.HomeKeyboard);

    /// <summary>The state of one turn while it is being answered.</summary>
    private sealed class TurnState(FlowRuntime runtime, CompiledFlow flow, Turn? turn, DateTimeOffset now, ImmutableDictionary<string, JsonElement> vars, CancellationToken cancellation)
    {
        private readonly ImmutableDictionary<string, JsonElement> _varsBefore = vars;
        private readonly List<RuntimeIssue> _issues = [];
        private readonly TurnData? _data = runtime.Services.Data is { } store ? new TurnData(store, flow.BotId) : null;
        private readonly TurnPayments? _payments = runtime.Services.Payments is { } payments ? new TurnPayments(payments) : null;
        private ImmutableDictionary<string, JsonElement> _vars = vars;
        private HookServices? _services;
        private bool _failed;

        /// <summary>Back at Home with <c>messages.changed</c>: the user's step is gone from the flow.</summary>
        public StepResult StepRemoved() =>
            Finish(new ReplyMessage(flow.Messages.Changed, null, null), flow.HomeKeyboard, Session.HomeStepId, choice: null);

        /// <summary>No user turn: the step is shown as if reached by a button.</summary>
        public StepResult Enter(string stepId) => Show(stepId);

        private Turn Turn => turn ?? throw new InvalidOperationException("this turn has no user input");

        /// <summary>The user typed (or sent a photo) at a text keyboard.</summary>
        public StepResult Answer(CompiledStep step, CompiledInput input)
        {
            var sent = Turn;

            // Phones add stray spaces and newlines around typed answers; users do not see them as part of it.
            var answer = sent.Kind == TurnKind.Text ? sent.Content.Trim() : sent.Content;
            var accepted = sent.Kind == input.Type && answer.Length > 0;
            if (accepted && input.Check is { } check)
            {
                var outcome = RunScript(check, value: answer);
                if (outcome.Failure is not null)
                {
                    return Failed(outcome.Failure);
                }

                accepted = outcome.Truthy;
            }

            if (!accepted)
            {
                var retry = input.Retry?.Render(_vars) is { Length: > 0 } text ? text : flow.Messages.Retry;
                return Finish(new ReplyMessage(retry, null, null), Keyboard.Text, step.Id, choice: null);
            }

            _vars = _vars.SetItem(input.SaveAs, FlowValues.Text(answer));
            return Show(input.Next);
        }

        /// <summary>The user pressed a button (or typed at a buttons keyboard).</summary>
        public StepResult Press(CompiledStep step, DynamicChoice? choice)
        {
            var sent = Turn;
            var label = sent.Kind == TurnKind.Text ? Normalize(sent.Content) : null;
            if (label is not null && FindButton(step, label) is { } target)
            {
                return Show(target);
            }

            if (label is not null && choice is not null && choice.Labels.FirstOrDefault(l => Normalize(l) == label) is { } chosen)
            {
                if (choice.SaveAs is { } name)
                {
                    _vars = _vars.SetItem(name, FlowValues.Text(chosen));
                }

                return Show(choice.Next ?? Session.HomeStepId);
            }

            var keyboard = choice is not null ? Keyboard.OfButtons(choice.Labels) : step.Keyboard ?? flow.HomeKeyboard;
            return Finish(new ReplyMessage(flow.Messages.Fallback, null, null), keyboard, step.Id, choice) with { IsFallback = true };
        }

        private static string? FindButton(CompiledStep step, string label)
        {
            if (step.TargetOf(label) is { } exact)
            {
                return exact;
            }

            foreach (var (buttonLabel, target) in step.Buttons ?? [])
            {
                if (Normalize(buttonLabel) == label)
                {
                    return target;
                }
            }

            return null;
        }

        /// <summary>Typed text may come with stray spaces or decomposed Hangul (NFD); labels match as users see them.</summary>
        private static string Normalize(string text) => ButtonLabel.AsUsersSeeIt(text);

        /// <summary>Shows a step: its own parts, then the chain of <c>goto</c>s, ending on a keyboard.</summary>
        private StepResult Show(string stepId)
        {
            var parts = new ReplyParts();
            for (var hops = 0; hops < MaxHops; hops++)
            {
                var step = flow.FindStep(stepId);
                if (step is null)
                {
                    return Failed(new RuntimeIssue(RuntimeIssueKind.FlowError, MessageText.Format(Messages.Runtime_GotoNotAStep, stepId), null));
                }

                if (step == flow.Home)
                {
                    return FinishAtHome(parts);
                }

                foreach (var (name, value) in step.Set)
                {
                    _vars = _vars.SetItem(name, value);
                }

                var hook = step.Hook is { } script ? RunScript(script, value: null) : null;
                if (hook?.Failure is { } failure)
                {
                    return Failed(failure);
                }

                if (hook?.Goto is { } redirect)
                {
                    stepId = redirect;
                    continue;
                }

                AddParts(parts, step, hook);
                if (hook?.Buttons is { } dynamic)
                {
                    return FinishWithChoice(parts, step, dynamic);
                }

                if (step.Goto is { } next)
                {
                    stepId = next;
                    continue;
                }

                return step.Keyboard is { } keyboard
                    ? Finish(Compose(parts), keyboard, step.Id, choice: null)
                    : FinishAtHome(parts);
            }

            return Failed(new RuntimeIssue(RuntimeIssueKind.FlowError, MessageText.Format(Messages.Runtime_TooManyHops, MaxHops), null));
        }

        /// <summary>A step's text, photo and link, rendered with the variables as they are now; what its hook set wins.</summary>
        private void AddParts(ReplyParts parts, CompiledStep step, HookOutcome? hook)
        {
            if ((hook?.Say ?? step.Say?.Render(_vars)) is { Length: > 0 } say)
            {
                parts.Texts.Add(say);
            }

            parts.Photo = hook?.Photo ?? (step.Photo is { } p ? new ReplyPhoto(p.Url.Render(_vars), p.Width, p.Height) : null) ?? parts.Photo;
            parts.Link = hook?.Link ?? (step.Link is { } l ? new ReplyLink(l.Label.Render(_vars), l.Url.Render(_vars)) : null) ?? parts.Link;
        }

        /// <summary>The buttons a hook offered, which the next turn matches against; none at all falls back to Home.</summary>
        private StepResult FinishWithChoice(ReplyParts parts, CompiledStep step, DynamicChoice choice)
        {
            if (choice.Labels.IsDefaultOrEmpty)
            {
                Repaired(step, Messages.Runtime_EmptyButtons);
                return FinishAtHome(parts);
            }

            return Finish(Compose(parts), Keyboard.OfButtons(choice.Labels), step.Id, choice);
        }

        private StepResult FinishAtHome(ReplyParts parts) =>
            Finish(Compose(parts), flow.HomeKeyboard, Session.HomeStepId, choice: null);

        /// <summary>The reply bubble from the parts, repaired to what KakaoTalk accepts; never empty.</summary>
        private ReplyMessage Compose(ReplyParts parts)
        {
            var photo = parts.Photo;
            if (photo is not null && !IsWebUrl(photo.Url))
            {
                Repaired(null, MessageText.Format(Messages.Runtime_BadPhotoUrl, photo.Url));
                photo = null;
            }

            var link = parts.Link;
            if (link is not null && (!IsWebUrl(link.Url) || link.Label.Length == 0))
            {
                Repaired(null, MessageText.Format(Messages.Runtime_BadLink, link.Label, link.Url));
                link = null;
            }

            var texts = parts.Texts;
            var text = texts.Count > 0 ? string.Join("\n\n", texts) : null;
            if (text is not null && TextLength.Of(text) > TextLength.KakaoTextLimit)
            {
                Repaired(null, MessageText.Format(Messages.Runtime_TextCut, TextLength.Of(text), TextLength.KakaoTextLimit), LongOnlyBecauseOfInput(text));
                text = TextLength.Truncate(text);
            }

            if (text is null && photo is null && link is null)
            {
                text = flow.Messages.Home;
            }

            return new ReplyMessage(text, photo, link);
        }

        private HookOutcome RunScript(PreparedScript script, string? value)
        {
            _services ??= runtime.Services with { Data = _data, Payments = _payments };
            var context = new HookContext(flow.BotId, _vars, turn, now, _services, cancellation) { Value = value };
            var outcome = flow.Scripts!.Run(script, context);
            if (outcome.Failure is null)
            {
                _vars = outcome.Vars;
            }

            return outcome;
        }

        private StepResult Failed(HookFailure failure) =>
            Failed(new RuntimeIssue(
                failure.Kind == HookFailureKind.ScriptError ? RuntimeIssueKind.HookError : RuntimeIssueKind.HookLimit,
                failure.Message,
                failure.Location));

        /// <summary>A broken turn: <c>messages.error</c>, back to Home, the turn's variable changes dropped.</summary>
        private StepResult Failed(RuntimeIssue issue)
        {
            _issues.Add(issue);
            _vars = _varsBefore;
            _failed = true;
            return Finish(new ReplyMessage(flow.Messages.Error, null, null), flow.HomeKeyboard, Session.HomeStepId, choice: null);
        }

        private void Repaired(CompiledStep? step, string message, bool causedByInput = false) =>
            _issues.Add(new RuntimeIssue(RuntimeIssueKind.ReplyRepaired, message, step?.Location) { CausedByInput = causedByInput });

        /// <summary>
        /// Whether the text fits without what users typed: this turn's message and the values of the variables
        /// <c>input</c> steps save to. Then the overflow is the sender's doing, not the bot's.
        /// </summary>
        private bool LongOnlyBecauseOfInput(string text)
        {
            var typed = flow.InputVariables
                .Select(name => _vars.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                .Append(turn?.Content)
                .OfType<string>()
                .Where(value => value.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(value => value.Length);
            var rest = typed.Aggregate(text, (remaining, value) => remaining.Replace(value, "", StringComparison.Ordinal));
            return rest.Length < text.Length && TextLength.Of(rest) <= TextLength.KakaoTextLimit;
        }

        private StepResult Finish(ReplyMessage message, Keyboard keyboard, string position, DynamicChoice? choice)
        {
            var session = new Session
            {
                StepId = position,
                Vars = _vars,
                LastMessageAt = now,
                FlowVersion = flow.Version,
                Choice = choice,
            };
            var effects = new TurnEffects(_failed ? [] : _data?.Changes ?? [], _payments?.Charges ?? [], _failed);
            return new StepResult(new Reply(message, keyboard), session, _issues.ToArray()) { Effects = effects.IsEmpty && !_failed ? TurnEffects.None : effects };
        }

        private static bool IsWebUrl(string url) =>
            Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
    }

    /// <summary>What the steps shown so far in one reply put in it: every text in order, the latest photo and link.</summary>
    private sealed class ReplyParts
    {
        public List<string> Texts { get; } = [];

        public ReplyPhoto? Photo { get; set; }

        public ReplyLink? Link { get; set; }
    }
}
