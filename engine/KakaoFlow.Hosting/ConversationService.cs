using System.Diagnostics;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Hosting.Skill;
using KakaoFlow.Runtime;
using KakaoFlow.Skill;
using KakaoFlow.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting;

/// <summary>
/// Runs turns against the store. Every operation on one user (message, chat_room, friend) holds that user's
/// lock, so one user's requests are handled one at a time in arrival order while different users run in
/// parallel.
/// </summary>
/// <remarks>
/// A turn is: take the user's lock, read the session, <see cref="FlowRuntime.Step"/>, write the session, release,
/// answer. No store transaction spans the turn: the per-user lock gives the isolation for the only session the
/// turn touches, and the write is one atomic record. The reply is sent only after the write returned, i.e. after
/// the session is in the session journal (docs/serving.md says what that survives). The bot data a turn's hooks set
/// or deleted is written just before its session (<see cref="FlowRuntime.Commit"/>); a turn whose result is dropped
/// writes none and has its charges refunded (docs/commerce.md, "Bot data in a turn").
/// </remarks>
internal sealed class ConversationService
{
    private readonly ISessionStore _sessions;
    private readonly IFriendStore _friends;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _replyTimeout;
    private readonly StepFunction _step;
    private readonly StepFunction _skillStep;
    private readonly FlowRuntime _runtime;
    private readonly ILogger _logger;
    private readonly ErrorBudget _errors;
    private readonly UserTurns _turns;

    public ConversationService(
        ISessionStore sessions,
        IFriendStore friends,
        FlowRuntime runtime,
        IOptions<KakaoFlowOptions> options,
        TimeProvider clock,
        HostingSeams seams,
        ILogger<ConversationService> logger,
        ErrorBudget errors,
        IHostCoordination hosts)
    {
        _errors = errors;
        _turns = new UserTurns(hosts);
        _runtime = runtime;
        _sessions = sessions;
        _friends = friends;
        _clock = clock;
        _replyTimeout = options.Value.ReplyTimeout;
        _step = seams.Stepper is { } stepper ? stepper.Invoke : runtime.Step;
        _skillStep = (flow, session, turn, now, cancellation) => SkillTurns.Step(_step, flow, session, turn, now, cancellation);
        _logger = logger;
    }

    internal KeyedAsyncLock Locks => _turns.Locks;

    /// <summary>Turns that began since the host started (<see cref="IdleMemoryTrim"/> tells a quiet host by it).</summary>
    internal long TurnsStarted => _turns.Started;

    /// <summary>Answers one message; always returns a reply (<c>messages.error</c> when the turn failed or ran late).</summary>
    public Task<Reply> HandleMessageAsync(CompiledFlow flow, string userKey, Turn turn) => HandleAsync(flow, userKey, turn, _step);

    /// <summary>
    /// Answers one utterance on the Open Builder channel: the same turn, bound, session store and error budget, under
    /// the user's own key (<see cref="SkillRequests.KeyOf"/>); the reply's keyboard is the page of quick replies shown.
    /// </summary>
    public Task<Reply> HandleSkillMessageAsync(CompiledFlow flow, string userId, string utterance) =>
        HandleAsync(flow, SkillRequests.KeyOf(userId), Turn.Text(utterance), _skillStep);

    private async Task<Reply> HandleAsync(CompiledFlow flow, string userKey, Turn turn, StepFunction step)
    {
        using var deadline = new ReplyDeadline(_replyTimeout);
        // Hooks see who wrote only through pay (which hashes it before keeping anything).
        var active = new ActiveTurn(flow, userKey, turn with { User = userKey }, step, deadline);
        try
        {
            var reply = await TurnAsync(active).ConfigureAwait(false);
            _errors.WriteOutageCounts();
            return reply;
        }
        catch (StoreException e)
        {
            // The user's session could not be read or written (a full disk, say): nothing of this turn is acknowledged,
            // and the user's next message continues from their last acknowledged turn. The store logs the outage; the
            // error budget logs and counts it once a minute per bot, not per turn.
            _errors.RecordStoreFailure(flow, e);
            return ErrorReply(flow);
        }
    }

    /// <summary>One turn under the user's lock: load the session, step, save the bot data then the session, report, answer.</summary>
    private async Task<Reply> TurnAsync(ActiveTurn active)
    {
        var held = await EnterTurnAsync(active).ConfigureAwait(false);
        if (held is null)
        {
            return ErrorReply(active.Flow);
        }

        await using (held.ConfigureAwait(false))
        {
            var now = _clock.GetUtcNow();
            var session = await LoadSessionAsync(active).ConfigureAwait(false);
            var result = await StepAsync(active, session, now).ConfigureAwait(false);
            if (result is null)
            {
                // The client shows Home with messages.error: so does the session (its variables kept).
                await _sessions.SaveAsync(active.Flow.BotId, active.UserKey, BackHome(session, active.Flow, now)).ConfigureAwait(false);
                return ErrorReply(active.Flow);
            }

            var next = await SaveTurnAsync(active, result, now).ConfigureAwait(false);
            ReportIssues(active, result.Issues);
            LogTurn(active, next);
            return result.Reply;
        }
    }

    /// <summary>The user's turn (<see cref="UserTurns"/>), or null when the reply bound passed while waiting for it.</summary>
    private async Task<IAsyncDisposable?> EnterTurnAsync(ActiveTurn active)
    {
        try
        {
            return await _turns.EnterAsync(active.Flow.BotId, active.UserKey, active.Deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not processed at all: the session is untouched.
            Log.TurnQueueTimedOut(_logger, active.Flow.BotId, active.User.Value, ReplyTimeoutMs);
            _errors.Record(active.Flow, active.User.Value, ErrorBudget.Timeout, null, $"waited past the {ReplyTimeoutMs} ms reply bound behind the user's earlier messages");
            return null;
        }
    }

    private async Task<Session> LoadSessionAsync(ActiveTurn active)
    {
        var (flow, user) = (active.Flow, active.User);
        var session = await ReadSessionAsync(flow, active.UserKey, user).ConfigureAwait(false);
        // Past retention but not swept yet: the runtime forgets the user itself, whatever the sweep's timing.
        if (session.FlowVersion is { } version && version != flow.Version && !session.IsAtHome && flow.FindStep(session.StepId) is null)
        {
            // Hot reload removed the user's step: the runtime continues from Home; say why in the log.
            Log.StepGoneAfterReload(_logger, flow.BotId, user.Value, session.StepId, version, flow.Version);
        }

        return session;
    }

    /// <summary>The step's result, or null when it failed or ran past the reply bound (both logged and counted here).</summary>
    private async Task<StepResult?> StepAsync(ActiveTurn active, Session session, DateTimeOffset now)
    {
        var deadline = active.Deadline;
        var stepping = Task.Run(() => active.Step(active.Flow, session, active.Turn, now, deadline.Token), CancellationToken.None);
        try
        {
            return await stepping.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.HasPassed)
        {
            AbandonLateStep(active, stepping, now);
            return null;
        }
#pragma warning disable CA1031 // The runtime promises not to throw; if it does anyway the user still gets a valid answer.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.TurnFailed(_logger, active.Flow.BotId, active.User.Value, e);
            _errors.Record(active.Flow, active.User.Value, ErrorBudget.Internal, null, $"{e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    /// <summary>The late step's result, whenever it comes, is dropped: its charges are refunded and its failure observed.</summary>
    private void AbandonLateStep(ActiveTurn active, Task<StepResult> stepping, DateTimeOffset now)
    {
        _ = stepping.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        active.Deadline.Outlive(stepping);
        _ = stepping.ContinueWith(late => Undo(active, late.Result, now), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        Log.TurnTimedOut(_logger, active.Flow.BotId, active.User.Value, ReplyTimeoutMs);
        _errors.Record(active.Flow, active.User.Value, ErrorBudget.Timeout, null, $"the answer took longer than the {ReplyTimeoutMs} ms reply bound");
    }

    /// <summary>The turn's bot data, then its session; returns the session saved.</summary>
    private async Task<Session> SaveTurnAsync(ActiveTurn active, StepResult result, DateTimeOffset now)
    {
        var next = result.Session;
        if (next.LastMessageAt is null || next.FlowVersion is null)
        {
            next = next with { LastMessageAt = next.LastMessageAt ?? now, FlowVersion = next.FlowVersion ?? active.Flow.Version };
        }

        CommitBotData(active, result, now);
        await _sessions.SaveAsync(active.Flow.BotId, active.UserKey, next).ConfigureAwait(false);
        return next;
    }

    private void ReportIssues(ActiveTurn active, IReadOnlyList<RuntimeIssue> issues)
    {
        foreach (var issue in issues)
        {
            var text = Excerpt.Cut(issue.ToString(), Excerpt.MessageBytes);
            if (issue.CausedByInput)
            {
                Log.InputIssue(_logger, active.Flow.BotId, active.User.Value, text);
                continue;
            }

            // The one line that carries the issue's text; the error budget's line only counts it.
            Log.TurnIssue(_logger, active.Flow.BotId, active.User.Value, text);
            _errors.Record(active.Flow, active.User.Value, KindOf(issue.Kind), issue.Location, issue.ScriptDetail is null ? issue.Message : $"{issue.Message} — {issue.ScriptDetail}");
        }
    }

    private void LogTurn(ActiveTurn active, Session next)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Turn(_logger, active.Flow.BotId, active.User.Value, active.Turn.Kind.ToString(), next.StepId, (long)Stopwatch.GetElapsedTime(active.Started).TotalMilliseconds);
        }
    }

    /// <summary><c>DELETE /chat_room/{user_key}</c>: the position goes back to Home; variables and times are kept.</summary>
    public async Task ResetPositionAsync(CompiledFlow flow, string userKey)
    {
        await using ((await _turns.EnterAsync(flow.BotId, userKey, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false))
        {
            var session = await _sessions.FindAsync(flow.BotId, userKey).ConfigureAwait(false);
            if (session is { IsAtHome: false })
            {
                await _sessions.SaveAsync(flow.BotId, userKey, session with { StepId = Session.HomeStepId, Choice = null, Page = 0 }).ConfigureAwait(false);
            }
        }

        Log.ChatRoomDeleted(_logger, flow.BotId, UserTag.Of(userKey));
    }

    /// <summary><c>POST /friend</c> and <c>DELETE /friend/{user_key}</c>: recorded; the session is never touched.</summary>
    public async Task SetFriendAsync(CompiledFlow flow, string userKey, bool added)
    {
        await using ((await _turns.EnterAsync(flow.BotId, userKey, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false))
        {
            var now = _clock.GetUtcNow();
            var record = added
                ? _friends.MarkAdded(flow.BotId, userKey, now)
                : _friends.MarkBlocked(flow.BotId, userKey, now);
            Log.Friend(_logger, flow.BotId, UserTag.Of(userKey), record.State.ToString());
        }
    }

    /// <summary>
    /// The turn's bot data, written before its session: a crash between the two leaves the data written and the user one
    /// step back (a shop sees the order placed and the customer at the confirmation again; docs/commerce.md says how a
    /// flow makes that repeat harmless). A failed turn's charges are refunded here.
    /// </summary>
    private void CommitBotData(ActiveTurn active, StepResult result, DateTimeOffset now)
    {
        if (result.Effects.IsEmpty)
        {
            return;
        }

        if (result.Effects.Failed)
        {
            Undo(active, result, now);
            return;
        }

        try
        {
            _runtime.Commit(active.Flow.BotId, result.Effects, now);
        }
        catch (Exception)
        {
            Undo(active, result, now);
            throw;
        }
    }

    /// <summary>A turn whose result is dropped: its data changes are never written and its charges are refunded.</summary>
    private void Undo(ActiveTurn active, StepResult result, DateTimeOffset now)
    {
        if (result.Effects.Charges.Count == 0)
        {
            return;
        }

        Log.ChargesVoided(_logger, active.Flow.BotId, active.User.Value, result.Effects.Charges.Count);
        _runtime.Undo(active.Flow.BotId, result.Effects, now);
    }

    private async Task<Session> ReadSessionAsync(CompiledFlow flow, string userKey, LazyUserTag user)
    {
        try
        {
            return await _sessions.FindAsync(flow.BotId, userKey).ConfigureAwait(false) ?? Session.New;
        }
        catch (InvalidDataException e)
        {
            // A document this version cannot read: start the user afresh rather than fail every message.
            Log.SessionUnreadable(_logger, flow.BotId, user.Value, e);
            return Session.New;
        }
    }

    private long ReplyTimeoutMs => (long)_replyTimeout.TotalMilliseconds;

    private static string KindOf(RuntimeIssueKind kind) => kind switch
    {
        RuntimeIssueKind.HookError => "hook-error",
        RuntimeIssueKind.HookLimit => "hook-limit",
        RuntimeIssueKind.ReplyRepaired => "reply-repaired",
        _ => "flow-error",
    };

    public static Reply ErrorReply(CompiledFlow flow) => new(new ReplyMessage(flow.Messages.Error, null, null), flow.HomeKeyboard);

    private static Session BackHome(Session session, CompiledFlow flow, DateTimeOffset now) =>
        session with { StepId = Session.HomeStepId, Choice = null, Page = 0, LastMessageAt = now, FlowVersion = flow.Version };

    /// <summary>One message being answered: whose, which flow and step function, and when the answer is due.</summary>
    private sealed class ActiveTurn(CompiledFlow flow, string userKey, Turn turn, StepFunction step, ReplyDeadline deadline)
    {
        public CompiledFlow Flow { get; } = flow;

        public string UserKey { get; } = userKey;

        /// <summary>The user's tag (a SHA-256), computed only for the lines that are written, not for every turn.</summary>
        public LazyUserTag User { get; } = new(userKey);

        public Turn Turn { get; } = turn;

        public StepFunction Step { get; } = step;

        public ReplyDeadline Deadline { get; } = deadline;

        public long Started { get; } = Stopwatch.GetTimestamp();
    }

    /// <summary>A user's <see cref="UserTag"/>, hashed on first use only.</summary>
    private sealed class LazyUserTag(string userKey)
    {
        private string? _tag;

        public string Value => _tag ??= UserTag.Of(userKey);
    }
}
