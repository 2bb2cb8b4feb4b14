using KakaoFlow.Runtime;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Runtime;

/// <summary>How the runtime uses hooks and checks (the sandbox itself is tested under Scripting).</summary>
public sealed class HookRuntimeTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);
    private readonly FlowRuntime _runtime = new();

    private StepResult Walk(string yaml, params string[] texts)
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + yaml);
        var session = Session.New;
        StepResult? result = null;
        foreach (var text in texts)
        {
            result = _runtime.Step(flow, session, Turn.Text(text), Noon);
            session = result.Session;
        }

        return result!;
    }

    private const string AddressFlow = """
        home:
          - 주소 입력:
              say: 주소를 입력해 주세요.
              input:
                save: address
                check: "value.length >= 5"
                retry: 주소를 다시 확인해 주세요.
                next: done
          - 전화 입력:
              say: 전화번호를 입력해 주세요.
              input: { save: phone, check: "/^01[0-9]-?[0-9]{4}-?[0-9]{4}$/.test(value)", next: done }
        steps:
          done: "{{address}}{{phone}} 저장했어요."
        """;

    [Fact]
    public void Check_failing_shows_retry_and_keeps_the_text_keyboard()
    {
        var result = Walk(AddressFlow, "주소 입력", "서울");

        Assert.Equal("주소를 다시 확인해 주세요.", result.Reply.Message.Text);
        Assert.Equal(Keyboard.Text, result.Reply.Keyboard);
        Assert.Equal("home/주소 입력", result.Session.StepId);
        Assert.False(result.Session.Vars.ContainsKey("address"));
    }

    [Fact]
    public void Check_without_retry_uses_messages_retry()
    {
        var result = Walk(AddressFlow, "전화 입력", "공일공");

        Assert.Equal("입력한 내용을 다시 확인해 주세요.", result.Reply.Message.Text);
        Assert.Equal(Keyboard.Text, result.Reply.Keyboard);
    }

    [Fact]
    public void Check_passing_saves_and_goes_next()
    {
        var result = Walk(AddressFlow, "주소 입력", "서울", "서울시 마포구 월드컵로 12");

        Assert.Equal("서울시 마포구 월드컵로 12 저장했어요.", result.Reply.Message.Text);
        Assert.Equal(Session.HomeStepId, result.Session.StepId);
    }

    [Fact]
    public void Typed_answers_are_trimmed_before_check_and_save()
    {
        var result = Walk(AddressFlow, "전화 입력", "  010-1234-5678\n");

        Assert.Equal("010-1234-5678 저장했어요.", result.Reply.Message.Text);
        Assert.Equal("010-1234-5678", result.Session.Vars["phone"].GetString());
    }

    [Fact]
    public void A_blank_answer_is_asked_again()
    {
        var result = Walk("""
            home:
              - 메모:
                  say: 메모를 남겨 주세요.
                  input: { save: memo, next: home }
            """, "메모", "   ");

        Assert.Equal("입력한 내용을 다시 확인해 주세요.", result.Reply.Message.Text);
        Assert.Equal(Keyboard.Text, result.Reply.Keyboard);
    }

    [Fact]
    public void Hook_reads_and_writes_vars_before_the_reply_is_rendered()
    {
        var result = Walk("""
            home:
              - 합계:
                  set: { price: 18000, extra: 4000 }
                  js: vars.total = vars.price + vars.extra;
                  say: "합계 {{total}}원"
            """, "합계");

        Assert.Equal("합계 22000원", result.Reply.Message.Text);
        Assert.Equal(22000, result.Session.Vars["total"].GetDouble());
    }

    [Fact]
    public void Hook_goto_is_a_redirect_that_drops_the_steps_own_reply()
    {
        var result = Walk("""
            home:
              - 확인:
                  say: 보이면 안 돼요
                  js: if (!vars.member) goto('join');
                  buttons:
                    - 회원 메뉴: 회원 전용
            steps:
              join:
                say: 먼저 회원가입을 해 주세요.
                buttons:
                  - 가입하기: { set: { member: true }, goto: home }
            """, "확인");

        Assert.Equal("먼저 회원가입을 해 주세요.", result.Reply.Message.Text);
        Assert.Equal(["가입하기"], result.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal("join", result.Session.StepId);
    }

    [Fact]
    public void Hook_error_answers_messages_error_resets_to_home_and_is_reported()
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - 메뉴:
                  say: 메뉴
                  buttons:
                    - 고장:
                        set: { tried: true }
                        js: |
                          vars.half = 1;
                          throw new Error('재고 시스템 응답 없음');
                        say: 안 보여요
            """);
        var menu = _runtime.Step(flow, Session.New, Turn.Text("메뉴"), Noon);

        var result = _runtime.Step(flow, menu.Session, Turn.Text("고장"), Noon);

        Assert.Equal("일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.", result.Reply.Message.Text);
        Assert.Equal(["메뉴"], result.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal(Session.HomeStepId, result.Session.StepId);
        Assert.False(result.Session.Vars.ContainsKey("tried"), "a failed turn keeps the variables it started with");
        Assert.False(result.Session.Vars.ContainsKey("half"));
        var issue = Assert.Single(result.Issues);
        Assert.Equal(RuntimeIssueKind.HookError, issue.Kind);
        Assert.Contains("재고 시스템 응답 없음", issue.Message, StringComparison.Ordinal);
        Assert.Equal(("test/flow.yaml", 12), (issue.Location!.Value.File, issue.Location.Value.Line));
    }

    [Fact]
    public void Hook_timeout_answers_messages_error_within_the_limit()
    {
        var result = Walk("""
            settings: { hook_timeout: 200ms }
            home:
              - 멈춤:
                  js: while (true) {}
                  say: 안 보여요
            """, "멈춤");

        Assert.Equal("일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.", result.Reply.Message.Text);
        Assert.Equal(RuntimeIssueKind.HookLimit, Assert.Single(result.Issues).Kind);
    }

    [Theory]
    [InlineData("", "5 saved")]
    [InlineData("settings: { data_limit_mb: 1 }\n", "over its limit of 1 MiB (settings.data_limit_mb)")]
    public void The_bots_data_limit_is_a_flow_setting_and_a_data_set_past_it_is_a_catchable_error(string settings, string expected)
    {
        var data = new InMemoryBotDataStore();
        var runtime = new FlowRuntime(new Hooks.HookServices(data, null));
        var flow = TestFlows.CompileOk(TestFlows.Header + settings + """
            home:
              - 저장:
                  js: |
                    const value = 'x'.repeat(250000);
                    try {
                      for (let i = 1; i <= 5; i++) { data.set('값' + i, value); }
                      say('5 saved');
                    } catch (e) {
                      say(e.message);
                    }
            """);

        var reply = runtime.Step(flow, Session.New, Turn.Text("저장"), Noon).Reply.Message.Text;

        Assert.Contains(expected, reply, StringComparison.Ordinal);
        Assert.Equal(settings.Length == 0 ? 5 : 4, data.Keys(flow.BotId).Count);
    }

    [Theory]
    [InlineData("settings: { hook_timeout: 4s }\n", false)]
    [InlineData("settings: { hook_max_statements: 200 }\n", true)]
    [InlineData("settings: { hook_max_recursion: 10 }\n", true)]
    [InlineData("settings: { hook_memory_mb: 1 }\n", true)]
    public void Flow_settings_tighten_the_sandbox(string settings, bool fails)
    {
        var result = Walk(settings + """
            home:
              - 일:
                  js: |
                    function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }
                    let total = 0;
                    for (let i = 0; i < 500; i++) { total += i; }
                    const chunks = [];
                    for (let i = 0; i < 40; i++) { chunks.push('가'.repeat(20000) + i); }
                    vars.result = total + depth(30) + chunks.length;
                  say: "{{result}}"
            """, "일");

        if (fails)
        {
            Assert.Equal(RuntimeIssueKind.HookLimit, Assert.Single(result.Issues).Kind);
        }
        else
        {
            Assert.Empty(result.Issues);
            Assert.Equal("124820", result.Reply.Message.Text);
        }
    }

    [Fact]
    public void Check_that_throws_is_an_error_not_a_retry()
    {
        var result = Walk("""
            home:
              - 입력:
                  say: 입력해 주세요.
                  input: { save: x, check: "value.nope.length > 0", next: home }
            """, "입력", "아무거나");

        Assert.Equal("일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.", result.Reply.Message.Text);
        Assert.Equal(RuntimeIssueKind.HookError, Assert.Single(result.Issues).Kind);
    }

    [Fact]
    public void Hook_redirect_loop_is_stopped_and_reported()
    {
        var result = Walk("""
            home:
              - 돌기: { goto: a }
            steps:
              a: { js: "goto('b')", say: 가 }
              b: { js: "goto('a')", say: 나 }
            """, "돌기");

        Assert.Equal("일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.", result.Reply.Message.Text);
        Assert.Equal(RuntimeIssueKind.FlowError, Assert.Single(result.Issues).Kind);
    }

    [Fact]
    public void Dynamic_buttons_save_the_choice_and_go_next()
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - 오늘의 메뉴:
                  say: 골라 주세요.
                  js: |
                    buttons(['김치찌개', '된장찌개'], { save: 'dish', next: 'picked' });
            steps:
              picked: "{{dish}}를 골랐어요."
            """);
        var offered = _runtime.Step(flow, Session.New, Turn.Text("오늘의 메뉴"), Noon);
        var wrong = _runtime.Step(flow, offered.Session, Turn.Text("비빔밥"), Noon);
        var picked = _runtime.Step(flow, offered.Session, Turn.Text("된장찌개"), Noon);

        Assert.Equal(["김치찌개", "된장찌개"], offered.Reply.Keyboard.Buttons.ToArray());
        Assert.True(wrong.IsFallback);
        Assert.Equal(["김치찌개", "된장찌개"], wrong.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal("된장찌개를 골랐어요.", picked.Reply.Message.Text);
        Assert.Equal(Session.HomeStepId, picked.Session.StepId);
    }
}
