using KakaoFlow.Compiling;
using KakaoFlow.Runtime;
using KakaoFlow.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KakaoFlow.Tests.Runtime;

public sealed class PizzaConversationTests
{
    internal const string Pizza = TestFlows.Header + PizzaFlow.Body;

    private readonly CompiledFlow _flow = TestFlows.CompileOk(Pizza);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly FlowRuntime _runtime = new();
    private Session _session = Session.New;

    private StepResult Send(string text)
    {
        var result = _runtime.Step(_flow, _session, Turn.Text(text), _clock.GetUtcNow());
        _session = result.Session;
        return result;
    }

    [Fact]
    public void Leaf_reply_returns_the_home_keyboard()
    {
        var result = Send("영업 시간");

        Assert.Equal("매일 11시부터 22시까지 영업합니다.", result.Reply.Message.Text);
        Assert.Equal(["영업 시간", "메뉴 보기"], result.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal(Session.HomeStepId, result.Session.StepId);
        Assert.Empty(result.Issues);
    }

    [Fact]
    public void Branch_shows_text_photo_link_and_the_next_keyboard()
    {
        var result = Send("메뉴 보기");

        Assert.Equal("오늘의 메뉴입니다.", result.Reply.Message.Text);
        Assert.Equal(new ReplyPhoto("https://example.com/menu.jpg", 640, 480), result.Reply.Message.Photo);
        Assert.Equal(new ReplyLink("전체 메뉴판", "https://example.com/menu"), result.Reply.Message.Link);
        Assert.Equal(KeyboardKind.Buttons, result.Reply.Keyboard.Kind);
        Assert.Equal(["불고기 피자", "처음으로"], result.Reply.Keyboard.Buttons.ToArray());
    }

    [Fact]
    public void Full_order_fills_templates_with_numbers_printed_plainly()
    {
        Send("메뉴 보기");
        var size = Send("불고기 피자");
        Assert.Equal("불고기 피자의 크기를 골라 주세요.", size.Reply.Message.Text);
        Assert.Equal(["레귤러", "라지"], size.Reply.Keyboard.Buttons.ToArray());

        var address = Send("라지");
        Assert.Equal("배달 받을 주소를 입력해 주세요.", address.Reply.Message.Text);
        Assert.Equal(Keyboard.Text, address.Reply.Keyboard);

        var confirm = Send("서울시 강남구 테헤란로 1");
        Assert.Equal("불고기 피자 라지를 서울시 강남구 테헤란로 1(으)로 보낼까요? (18000원)", confirm.Reply.Message.Text);

        var done = Send("주문하기");
        Assert.Equal("주문이 접수되었습니다.", done.Reply.Message.Text);
        Assert.Equal(["영업 시간", "메뉴 보기"], done.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal("서울시 강남구 테헤란로 1", done.Session.Vars["address"].GetString());
    }

    [Fact]
    public void Goto_home_with_nothing_to_say_shows_the_home_message()
    {
        Send("메뉴 보기");
        var result = Send("처음으로");

        Assert.Equal("처음 화면이에요. 원하는 버튼을 선택하세요.", result.Reply.Message.Text);
        Assert.Equal(["영업 시간", "메뉴 보기"], result.Reply.Keyboard.Buttons.ToArray());
    }

    [Fact]
    public void Step_with_goto_joins_its_text_with_the_targets()
    {
        Send("메뉴 보기");
        Send("불고기 피자");
        Send("레귤러");
        Send("서울시 강남구 테헤란로 1");
        var result = Send("취소");

        // Home has no text of its own, so only the step's text is shown (messages.home only fills an empty reply).
        Assert.Equal("주문을 취소했어요.", result.Reply.Message.Text);
        Assert.Equal(["영업 시간", "메뉴 보기"], result.Reply.Keyboard.Buttons.ToArray());
    }

    [Fact]
    public void Unmatched_text_gets_the_fallback_and_the_same_keyboard()
    {
        Send("메뉴 보기");
        var result = Send("페퍼로니 있나요?");

        Assert.True(result.IsFallback);
        Assert.Empty(result.Issues);
        Assert.Equal("아래 버튼 중에서 선택해 주세요.", result.Reply.Message.Text);
        Assert.Equal(["불고기 피자", "처음으로"], result.Reply.Keyboard.Buttons.ToArray());
        Assert.Equal("home/메뉴 보기", result.Session.StepId);
    }

    [Fact]
    public void Expired_context_matches_the_message_against_home()
    {
        Send("메뉴 보기");
        _clock.Advance(TimeSpan.FromMinutes(10));

        var result = Send("영업 시간");

        Assert.Equal("매일 11시부터 22시까지 영업합니다.", result.Reply.Message.Text);
    }

    [Fact]
    public void Context_within_ttl_is_kept()
    {
        Send("메뉴 보기");
        _clock.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(59));

        var result = Send("불고기 피자");

        Assert.Equal("불고기 피자의 크기를 골라 주세요.", result.Reply.Message.Text);
    }

    [Fact]
    public void Expiry_keeps_variables()
    {
        Send("메뉴 보기");
        Send("불고기 피자");
        _clock.Advance(TimeSpan.FromHours(1));

        var result = Send("영업 시간");

        Assert.Equal("불고기 피자", result.Session.Vars["item"].GetString());
    }

    [Fact]
    public void Photo_at_a_text_input_gets_the_retry_message()
    {
        Send("메뉴 보기");
        Send("불고기 피자");
        Send("레귤러");

        var result = _runtime.Step(_flow, _session, Turn.Photo("https://example.com/p.jpg"), _clock.GetUtcNow());

        Assert.Equal("주소를 다시 확인해 주세요.", result.Reply.Message.Text);
        Assert.Equal(Keyboard.Text, result.Reply.Keyboard);
        Assert.Equal("address", result.Session.StepId);
    }

    [Fact]
    public void Typed_label_with_spaces_or_decomposed_hangul_still_matches()
    {
        var result = Send("  영업 시간 ".Normalize(System.Text.NormalizationForm.FormD));

        Assert.Equal("매일 11시부터 22시까지 영업합니다.", result.Reply.Message.Text);
    }
}
