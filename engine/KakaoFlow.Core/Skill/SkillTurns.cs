using KakaoFlow.Compiling;
using KakaoFlow.Runtime;

namespace KakaoFlow.Skill;

/// <summary>A turn of the state machine: <see cref="FlowRuntime.Step"/> or a stand-in with the same contract.</summary>
public delegate StepResult StepFunction(CompiledFlow flow, Session session, Turn turn, DateTimeOffset now, CancellationToken cancellation);

/// <summary>
/// A turn on the Open Builder channel: the flow's own turn, plus the pages of quick replies (<see cref="SkillPages"/>).
/// The reply's keyboard is the page the user sees, and the session remembers which page that is.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A page control (<c>다음</c>, <c>이전</c>) shown to the user turns the page: the answer is
/// <see cref="SkillPages.PageText"/> with that page, the position and variables stay, and the flow does not run.</item>
/// <item>A message that matches no button (the flow's fallback) keeps the page the user was on.</item>
/// <item>Every other answer shows the first page of its keyboard.</item>
/// </list>
/// </remarks>
public static class SkillTurns
{
    public static StepResult Step(StepFunction step, CompiledFlow flow, Session session, Turn turn, DateTimeOffset now, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(turn);

        var shown = FlowRuntime.KeyboardShown(flow, session, now);
        if (shown is not null && turn.Kind == TurnKind.Text && SkillPages.Turn(shown, session.Page, turn.Content) is { } page)
        {
            var reply = new Reply(new ReplyMessage(SkillPages.PageText(page, SkillPages.CountOf(shown)), null, null), SkillPages.View(shown, page));
            return new StepResult(reply, session with { Page = page, LastMessageAt = now, FlowVersion = flow.Version }, []);
        }

        var result = step(flow, session, turn, now, cancellation);
        return OnPage(result, result.IsFallback && shown is not null ? session.Page : 0);
    }

    /// <summary>The result with its keyboard shown at <paramref name="page"/> (kept within its pages), and the page remembered.</summary>
    public static StepResult OnPage(StepResult result, int page)
    {
        ArgumentNullException.ThrowIfNull(result);
        var keyboard = result.Reply.Keyboard;
        page = Math.Clamp(page, 0, SkillPages.CountOf(keyboard) - 1);
        return result with
        {
            Reply = result.Reply with { Keyboard = SkillPages.View(keyboard, page) },
            Session = result.Session with { Page = page },
        };
    }
}
