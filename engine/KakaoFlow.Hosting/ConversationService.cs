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
        // Hooks see who wrote only through pay (which hashes it before keeping anything).
        turn = turn with { User = userKey };

        // The user's tag (a SHA-256) is computed only for the lines that are written, not for every turn.
        var user = new LazyUserTag(userKey);
        var started = Stopwatch.GetTimestamp();

        // The bound is wall-clock and covers the wait behind the user's earlier messages too: the platform
        // times the whole request. Cancelling this token also tells the runtime (and its hooks) to stop.
        var deadline = new CancellationTokenSource(_replyTimeout);
        Task? lateStep = null;
        try
        {
            var reply = await TurnAsync(flow, userKey, user, turn, step, started, deadline, late => lateStep = late).ConfigureAwait(false);
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
        finally
        {
            // A step still running past the bound keeps observing its (cancelled) token: dispose it only then.
            if (lateStep is null)
            {
                deadline.Dispose();
            }
            else
            {
                _ = lateStep.ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Dispose(), deadline, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
    }

    private async Task<Reply> TurnAsync(CompiledFlow flow, string userKey, LazyUserTag user, Turn turn, StepFunction step, long started, CancellationTokenSource deadline, Action<Task> abandon)
    {
        IAsyncDisposable held;
        try
        {
            held = await _turns.EnterAsync(flow.BotId, userKey, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not processed at all: the session is untouched.
            Log.TurnQueueTimedOut(_logger, flow.BotId, user.Value, (long)_replyTimeout.TotalMilliseconds);
            _errors.Record(flow, user.Value, ErrorBudget.Timeout, null, $"waited past the {(long)_replyTimeout.TotalMilliseconds} ms reply bound behind the user's earlier messages");
            return ErrorReply(flow);
        }

        await using (held.ConfigureAwait(false))
        {
            var now = _clock.GetUtcNow();
            var session = ReadSession(flow, userKey, user);
            // Past retention but not swept yet: the runtime forgets the user itself, whatever the sweep's timing.
            if (session.FlowVersion is { } version && version != flow.Version && !session.IsAtHome && flow.FindStep(session.StepId) is null)
            {
                // Hot reload removed the user's step: the runtime continues from Home; say why in the log.
                Log.StepGoneAfterReload(_logger, flow.BotId, user.Value, session.StepId, version, flow.Version);
            }

            var stepping = Task.Run(() => step(flow, session, turn, now, deadline.Token), CancellationToken.None);
            StepResult result;
            try
            {
                result = await stepping.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // The late step's result, whenever it comes, is dropped; observe its failure so it is not unobserved.
                _ = stepping.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                abandon(stepping);
                _ = stepping.ContinueWith(late => Undo(flow, user, late.Result, now), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                Log.TurnTimedOut(_logger, flow.BotId, user.Value, (long)_replyTimeout.TotalMilliseconds);
                _errors.Record(flow, user.Value, ErrorBudget.Timeout, null, $"the answer took longer than the {(long)_replyTimeout.TotalMilliseconds} ms reply bound");
                await _sessions.SaveAsync(flow.BotId, userKey, BackHome(session, flow, now)).ConfigureAwait(false);
                return ErrorReply(flow);
            }
#pragma warning disable CA1031 // The runtime promises not to throw; if it does anyway the user still gets a valid answer.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.TurnFailed(_logger, flow.BotId, user.Value, e);
                _errors.Record(flow, user.Value, ErrorBudget.Internal, null, $"{e.GetType().Name}: {e.Message}");
                await _sessions.SaveAsync(flow.BotId, userKey, BackHome(session, flow, now)).ConfigureAwait(false);
                return ErrorReply(flow);
            }

            var next = result.Session;
            if (next.LastMessageAt is null || next.FlowVersion is null)
            {
                next = next with { LastMessageAt = next.LastMessageAt ?? now, FlowVersion = next.FlowVersion ?? flow.Version };
            }

            Commit(flow, user, result, now);
            await _sessions.SaveAsync(flow.BotId, userKey, next).ConfigureAwait(false);
            foreach (var issue in result.Issues)
            {
                if (issue.CausedByInput)
                {
                    Log.InputIssue(_logger, flow.BotId, user.Value, Excerpt.Cut(issue.ToString(), Excerpt.MessageBytes));
                    continue;
                }

                // The one line that carries the issue's text; the error budget's line only counts it.
                Log.TurnIssue(_logger, flow.BotId, user.Value, Excerpt.Cut(issue.ToString(), Excerpt.MessageBytes));
                _errors.Record(flow, user.Value, KindOf(issue.Kind), issue.Location, issue.ScriptDetail is null ? issue.Message : $"{issue.Message} — {issue.ScriptDetail}");
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.Turn(_logger, flow.BotId, user.Value, turn.Kind.ToString(), next.StepId, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return result.Reply;
        }
    }

    /// <summary><c>DELETE /chat_room/{user_key}</c>: the position goes back to Home; variables and times are kept.</summary>
    public async Task ResetPositionAsync(CompiledFlow flow, string userKey)
    {
        await using ((await _turns.EnterAsync(flow.BotId, userKey, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false))
        {
            var session = _sessions.Find(flow.BotId, userKey);
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
    private void Commit(CompiledFlow flow, LazyUserTag user, StepResult result, DateTimeOffset now)
    {
        if (result.Effects.IsEmpty)
        {
            return;
        }

        if (result.Effects.Failed)
        {
            Undo(flow, user, result, now);
            return;
        }

        try
        {
            _runtime.Commit(flow.BotId, result.Effects, now);
        }
        catch (Exception)
        {
            Undo(flow, user, result, now);
            throw;
        }
    }

    /// <summary>A turn whose result is dropped: its data changes are never written and its charges are refunded.</summary>
    private void Undo(CompiledFlow flow, LazyUserTag user, StepResult result, DateTimeOffset now)
    {
        if (result.Effects.Charges.Count == 0)
        {
            return;
        }

        Log.ChargesVoided(_logger, flow.BotId, user.Value, result.Effects.Charges.Count);
        _runtime.Undo(flow.BotId, result.Effects, now);
    }

    private Session ReadSession(CompiledFlow flow, string userKey, LazyUserTag user)
    {
        try
        {
            return _sessions.Find(flow.BotId, userKey) ?? Session.New;
        }
        catch (InvalidDataException e)
        {
            // A document this version cannot read: start the user afresh rather than fail every message.
            Log.SessionUnreadable(_logger, flow.BotId, user.Value, e);
            return Session.New;
        }
    }

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

    /// <summary>A user's <see cref="UserTag"/>, hashed on first use only.</summary>
    private sealed class LazyUserTag(string userKey)
    {
        private string? _tag;

        public string Value => _tag ??= UserTag.Of(userKey);
    }
}
