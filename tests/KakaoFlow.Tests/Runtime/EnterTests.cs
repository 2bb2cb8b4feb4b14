using KakaoFlow.Runtime;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Runtime;

/// <summary><see cref="FlowRuntime.Enter"/>: a step shown without a user turn (a scenario's <c>start:</c>).</summary>
public sealed class EnterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(9));

    private const string Flow = TestFlows.Header + """
        home:
          - 주문: { goto: size }
        steps:
          size:
            set: { item: 라떼 }
            js: |
              vars.seen = (vars.seen || 0) + 1;
            say: "{{item}} 크기를 골라 주세요 ({{seen}})"
            buttons:
              - 작은 것: 나왔습니다.
          broken:
            js: throw new Error('고장');
            say: 안 보여요
        """;

    [Fact]
    public void Enter_runs_set_and_js_renders_the_reply_and_leaves_the_user_at_the_step()
    {
        var flow = TestFlows.CompileOk(Flow);

        var result = new FlowRuntime().Enter(flow, Session.New, "size", Now);

        Assert.Equal("라떼 크기를 골라 주세요 (1)", result.Reply.Message.Text);
        Assert.Equal(["작은 것"], result.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal("size", result.Session.StepId);
        Assert.Equal(Now, result.Session.LastMessageAt);
        Assert.Empty(result.Issues);

        var next = new FlowRuntime().Step(flow, result.Session, Turn.Text("작은 것"), Now);
        Assert.Equal("나왔습니다.", next.Reply.Message.Text);
    }

    [Fact]
    public void Enter_a_step_whose_hook_fails_answers_the_error_message_at_home()
    {
        var flow = TestFlows.CompileOk(Flow.Replace("  - 주문: { goto: size }", "  - 주문: { goto: size }\n  - 고장: { goto: broken }", StringComparison.Ordinal));

        var result = new FlowRuntime().Enter(flow, Session.New, "broken", Now);

        Assert.Equal(flow.Messages.Error, result.Reply.Message.Text);
        Assert.Equal(Session.HomeStepId, result.Session.StepId);
        Assert.Equal(RuntimeIssueKind.HookError, Assert.Single(result.Issues).Kind);
    }
}
