using KakaoFlow.Compiling;
using KakaoFlow.Runtime;
using KakaoFlow.Skill;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Skill;

public sealed class SkillTurnsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    /// <summary>Home has 메뉴; 메뉴 has 12 pizzas, each leading to a step that names it.</summary>
    private static readonly CompiledFlow Twelve = TestFlows.CompileOk(TestFlows.Header + $"""
        home:
          - 메뉴:
              say: 골라 주세요.
              buttons:
        {string.Concat(Enumerable.Range(1, 12).Select(i => $"        - 피자{i}: {i}번 피자를 골랐어요.\n"))}
        """);

    private static StepResult Say(CompiledFlow flow, Session session, string text, DateTimeOffset? at = null) =>
        SkillTurns.Step(new FlowRuntime().Step, flow, session, Turn.Text(text), at ?? Noon, CancellationToken.None);

    [Fact]
    public void Next_shows_the_second_page_and_keeps_the_position()
    {
        var menu = Say(Twelve, Session.New, "메뉴");
        Assert.Equal([.. Enumerable.Range(1, 9).Select(i => $"피자{i}"), "다음"], menu.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal(0, menu.Session.Page);

        var next = Say(Twelve, menu.Session, "다음", Noon.AddSeconds(5));

        Assert.Equal("원하는 버튼을 선택하세요 (2/2)", next.Reply.Message.Text);
        Assert.Equal(["이전", "피자10", "피자11", "피자12"], next.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal(menu.Session.StepId, next.Session.StepId);
        Assert.Equal(1, next.Session.Page);
        Assert.Equal(Noon.AddSeconds(5), next.Session.LastMessageAt);
        Assert.Empty(next.Issues);

        var back = Say(Twelve, next.Session, "이전");
        Assert.Equal("원하는 버튼을 선택하세요 (1/2)", back.Reply.Message.Text);
        Assert.Equal(0, back.Session.Page);
    }

    [Fact]
    public void A_button_of_any_page_can_be_pressed_and_the_next_keyboard_starts_at_its_first_page()
    {
        var next = Say(Twelve, Say(Twelve, Session.New, "메뉴").Session, "다음");

        var picked = Say(Twelve, next.Session, "피자11");
        Assert.Equal("11번 피자를 골랐어요.", picked.Reply.Message.Text);
        Assert.Equal(0, picked.Session.Page);

        var fromFirstPage = Say(Twelve, next.Session, "피자2");
        Assert.Equal("2번 피자를 골랐어요.", fromFirstPage.Reply.Message.Text);
    }

    [Fact]
    public void Text_that_matches_nothing_keeps_the_page_the_user_is_on()
    {
        var next = Say(Twelve, Say(Twelve, Session.New, "메뉴").Session, "다음");

        var fallback = Say(Twelve, next.Session, "콜라 있어요?");

        Assert.True(fallback.IsFallback);
        Assert.Empty(fallback.Issues);
        Assert.Equal(Twelve.Messages.Fallback, fallback.Reply.Message.Text);
        Assert.Equal(["이전", "피자10", "피자11", "피자12"], fallback.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal(1, fallback.Session.Page);
    }

    [Fact]
    public void After_the_context_expires_next_is_an_ordinary_message_answered_from_home()
    {
        var next = Say(Twelve, Say(Twelve, Session.New, "메뉴").Session, "다음");

        var late = Say(Twelve, next.Session, "다음", Noon.AddMinutes(11));

        Assert.True(late.IsFallback);
        Assert.Equal(["메뉴"], late.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal(0, late.Session.Page);
    }

    [Fact]
    public void On_a_short_keyboard_next_is_just_text_for_the_flow()
    {
        var home = Say(Twelve, Session.New, "다음");

        Assert.True(home.IsFallback);
        Assert.Equal(["메뉴"], home.Reply.Keyboard.Buttons.ToArray());
    }

    [Fact]
    public void A_real_button_labelled_next_is_answered_by_the_flow()
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + $"""
            home:
              - 목록:
                  say: 골라 주세요.
                  buttons:
            {string.Concat(Enumerable.Range(1, 11).Select(i => $"        - 항목{i}: 항목 {i}\n"))}
                    - 다음: 진짜 다음 버튼
            """);
        var list = Say(flow, Session.New, "목록");
        Assert.Equal("다음 ▶", list.Reply.Keyboard.Buttons[^1]);

        Assert.Equal("진짜 다음 버튼", Say(flow, list.Session, "다음").Reply.Message.Text);
        var page = Say(flow, list.Session, "다음 ▶");
        Assert.Equal(["이전", "항목10", "항목11", "다음"], page.Reply.Keyboard.Buttons.ToArray());
    }
}
