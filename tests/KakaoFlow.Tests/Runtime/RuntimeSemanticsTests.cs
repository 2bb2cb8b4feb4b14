using KakaoFlow.Runtime;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Runtime;

public sealed class RuntimeSemanticsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    private static StepResult Say(string yaml, string text, Session? session = null, DateTimeOffset? at = null) =>
        new FlowRuntime().Step(TestFlows.CompileOk(TestFlows.Header + yaml), session ?? Session.New, Turn.Text(text), at ?? Noon);

    [Fact]
    public void Set_happens_before_the_step_is_shown()
    {
        var result = Say("""
            home:
              - 가격:
                  set: { price: 18000, rate: 1.5, big: 12345678901 }
                  say: "{{price}}원, {{rate}}배, {{big}}"
            """, "가격");

        Assert.Equal("18000원, 1.5배, 12345678901", result.Reply.Message.Text);
        Assert.Equal(["가격"], result.Reply.Keyboard.Buttons.ToArray());
    }

    [Fact]
    public void Missing_variable_prints_empty()
    {
        var flow = TestFlows.Compile(TestFlows.Header + """
            home:
              - 인사: "[{{nobody}}]님"
            """);
        Assert.Contains(flow.Diagnostics, d => d.Code == "KF022");

        var result = new FlowRuntime().Step(flow.Flow!, Session.New, Turn.Text("인사"), Noon);

        Assert.Equal("[]님", result.Reply.Message.Text);
    }

    [Fact]
    public void Goto_chain_joins_texts_and_keeps_the_last_photo_and_link()
    {
        var result = Say("""
            home:
              - 시작:
                  say: 첫째
                  photo: { url: "https://example.com/1.jpg", width: 10, height: 10 }
                  goto: middle
            steps:
              middle:
                say: 둘째
                link: { label: 보기, url: "https://example.com/2" }
                goto: last
              last:
                say: 셋째
                photo: { url: "https://example.com/3.jpg", width: 30, height: 30 }
                buttons:
                  - 끝: 끝
            """, "시작");

        Assert.Equal("첫째\n\n둘째\n\n셋째", result.Reply.Message.Text);
        Assert.Equal("https://example.com/3.jpg", result.Reply.Message.Photo!.Url);
        Assert.Equal("https://example.com/2", result.Reply.Message.Link!.Url);
        Assert.Equal(["끝"], result.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal("last", result.Session.StepId);
    }

    [Fact]
    public void Context_ttl_comes_from_settings()
    {
        const string yaml = """
            settings: { context_ttl: 30s }
            home:
              - 메뉴:
                  say: 메뉴
                  buttons:
                    - 피자: 피자입니다
            """;
        var first = Say(yaml, "메뉴");

        var late = Say(yaml, "피자", first.Session, Noon.AddSeconds(31));
        var soon = Say(yaml, "피자", first.Session, Noon.AddSeconds(29));

        Assert.True(late.IsFallback);
        Assert.Equal(["메뉴"], late.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal("피자입니다", soon.Reply.Message.Text);
    }

    [Fact]
    public void Variables_are_forgotten_after_retention()
    {
        const string yaml = """
            settings: { retention: 1d }
            home:
              - 저장: { set: { name: 철수 }, say: "{{name}} 저장" }
              - 확인: "이름: {{name}}"
            """;
        var saved = Say(yaml, "저장");

        Assert.Equal("이름: 철수", Say(yaml, "확인", saved.Session, Noon.AddHours(23)).Reply.Message.Text);
        Assert.Equal("이름: ", Say(yaml, "확인", saved.Session, Noon.AddDays(1)).Reply.Message.Text);
    }

    [Fact]
    public void Past_retention_the_user_starts_afresh_even_within_the_context_lifetime()
    {
        const string yaml = """
            settings: { retention: 1m, context_ttl: 1h }
            home:
              - 메뉴:
                  set: { seen: true }
                  say: 메뉴
                  buttons:
                    - 피자: "피자 ({{seen}})"
            """;
        var menu = Say(yaml, "메뉴");

        var result = Say(yaml, "피자", menu.Session, Noon.AddMinutes(1));

        Assert.True(result.IsFallback);
        Assert.Equal(["메뉴"], result.Reply.Keyboard.Buttons.ToArray());
        Assert.Empty(result.Session.Vars);
    }

    [Fact]
    public void Photo_input_saves_the_url()
    {
        const string yaml = """
            home:
              - 사진 보내기:
                  say: 사진을 보내 주세요. (+ 버튼)
                  input: { save: pic, type: photo, next: done }
            steps:
              done: "받았어요: {{pic}}"
            """;
        var flow = TestFlows.CompileOk(TestFlows.Header + yaml);
        var runtime = new FlowRuntime();
        var asked = runtime.Step(flow, Session.New, Turn.Text("사진 보내기"), Noon);

        var text = runtime.Step(flow, asked.Session, Turn.Text("사진 대신 글"), Noon);
        var photo = runtime.Step(flow, asked.Session, Turn.Photo("https://example.com/p.jpg"), Noon);

        Assert.Equal(Keyboard.Text, asked.Reply.Keyboard);
        Assert.Equal("입력한 내용을 다시 확인해 주세요.", text.Reply.Message.Text);
        Assert.Equal(Keyboard.Text, text.Reply.Keyboard);
        Assert.Equal("받았어요: https://example.com/p.jpg", photo.Reply.Message.Text);
        Assert.Equal(["사진 보내기"], photo.Reply.Keyboard.Buttons.ToArray());
    }

    /// <summary>A user answers a question with 1,200 characters that the next reply repeats.</summary>
    private static StepResult BioOf1200Characters()
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - 소개:
                  say: 자기소개를 입력해 주세요.
                  input: { save: bio, next: show }
            steps:
              show: "소개: {{bio}}"
            """);
        var runtime = new FlowRuntime();
        var asked = runtime.Step(flow, Session.New, Turn.Text("소개"), Noon);
        return runtime.Step(flow, asked.Session, Turn.Text(new string('한', 1200)), Noon);
    }

    [Fact]
    public void Reply_over_1000_characters_after_templating_is_cut_and_reported()
    {
        var result = BioOf1200Characters();

        Assert.Equal(1000, TextLength.Of(result.Reply.Message.Text!));
        Assert.EndsWith("한…", result.Reply.Message.Text, StringComparison.Ordinal);
        var issue = Assert.Single(result.Issues);
        Assert.Equal(RuntimeIssueKind.ReplyRepaired, issue.Kind);
        Assert.Contains("1204", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repaired_reply_is_reported_in_the_current_language()
    {
        using var korean = UiLanguage.Korean();
        var result = BioOf1200Characters();

        Assert.Equal("답 글이 1204자여서 1000자로 잘랐어요", Assert.Single(result.Issues).Message);
    }

    [Fact]
    public void Text_limit_counts_what_users_see()
    {
        var family = "👨‍👩‍👧";
        Assert.Equal(1, TextLength.Of(family));
        Assert.Equal(3, TextLength.Of("한글요"));

        var cut = TextLength.Truncate(string.Concat(Enumerable.Repeat(family, 1001)));

        Assert.Equal(1000, TextLength.Of(cut));
        Assert.EndsWith("…", cut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(950, false)]
    public void A_text_cut_only_because_of_what_the_user_typed_is_marked_as_caused_by_input(int fixedLength, bool causedByInput)
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + $$$"""
            home:
              - 메모:
                  say: 메모를 적어 주세요.
                  set: { signature: "{{{new string('다', 60)}}}" }
                  input: { save: memo, next: show }
            steps:
              show: "{{{new string('가', fixedLength)}}}{{signature}} 메모: {{memo}}"
            """);
        var runtime = new FlowRuntime();
        var asked = runtime.Step(flow, Session.New, Turn.Text("메모"), Noon);
        var shown = runtime.Step(flow, asked.Session, Turn.Text(new string('나', 1200)), Noon);

        var issue = Assert.Single(shown.Issues);
        Assert.Equal(RuntimeIssueKind.ReplyRepaired, issue.Kind);
        Assert.Equal(causedByInput, issue.CausedByInput);
        Assert.Equal(1000, TextLength.Of(shown.Reply.Message.Text!));
    }

    [Fact]
    public void A_user_whose_step_an_edit_removed_goes_home_with_messages_changed_and_the_text_is_not_a_button()
    {
        var before = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - 영업 시간: 매일 11시부터 22시까지 영업합니다.
              - 크기 고르기: { goto: size }
            steps:
              size:
                say: 크기를 골라 주세요.
                buttons:
                  - 영업 시간: 이 버튼은 크기 단계의 버튼이에요.
            """);
        var after = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - 영업 시간: 매일 11시부터 22시까지 영업합니다.
            """);
        var runtime = new FlowRuntime();
        var atSize = runtime.Step(before, Session.New, Turn.Text("크기 고르기"), Noon);
        Assert.Equal("size", atSize.Session.StepId);

        var result = runtime.Step(after, atSize.Session, Turn.Text("영업 시간"), Noon.AddMinutes(1));

        Assert.Equal("봇이 바뀌어 처음으로 돌아왔어요. 원하는 버튼을 선택해 주세요.", result.Reply.Message.Text);
        Assert.Equal(Session.HomeStepId, result.Session.StepId);
        Assert.Equal(["영업 시간"], result.Reply.Keyboard.Buttons.ToArray());
        Assert.Empty(result.Issues);
    }
}
