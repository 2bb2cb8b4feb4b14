using KakaoFlow.Runtime;
using KakaoFlow.Skill;

namespace KakaoFlow.Tests.Skill;

public sealed class SkillRenderingTests
{
    private static readonly ReplyPhoto Photo = new("https://example.com/menu.jpg", 640, 480);
    private static readonly ReplyLink Link = new("전체 메뉴판", "https://example.com/menu");
    private static readonly Keyboard Buttons = Keyboard.OfButtons(["불고기 피자", "처음으로"]);

    private static SkillReply Render(string? text, ReplyPhoto? photo = null, ReplyLink? link = null, Keyboard? keyboard = null) =>
        SkillRendering.Render(new Reply(new ReplyMessage(text, photo, link), keyboard ?? Buttons));

    [Fact]
    public void A_text_is_a_simple_text_and_buttons_are_quick_replies_that_send_their_label()
    {
        var reply = Render("오늘의 메뉴입니다.");

        Assert.Equal([new SimpleText("오늘의 메뉴입니다.")], reply.Outputs.ToArray());
        Assert.Equal([new QuickReply("불고기 피자", "불고기 피자"), new QuickReply("처음으로", "처음으로")], reply.QuickReplies.ToArray());
    }

    [Fact]
    public void A_text_with_a_link_is_one_text_card_and_the_photo_comes_after_it()
    {
        var reply = Render("오늘의 메뉴입니다.", Photo, Link);

        Assert.Equal(
            [
                new TextCard("오늘의 메뉴입니다.", new WebLinkButton("전체 메뉴판", "https://example.com/menu")),
                new SimpleImage("https://example.com/menu.jpg", SkillRendering.AltText),
            ],
            reply.Outputs.ToArray());
    }

    [Fact]
    public void A_text_too_long_for_a_card_is_a_simple_text_followed_by_the_card_of_its_link()
    {
        var text = new string('가', SkillLimits.MaxDescription + 1);
        var reply = Render(text, Photo, Link);

        Assert.Equal(
            [
                new SimpleText(text),
                new TextCard("전체 메뉴판", new WebLinkButton("전체 메뉴판", "https://example.com/menu")),
                new SimpleImage("https://example.com/menu.jpg", SkillRendering.AltText),
            ],
            reply.Outputs.ToArray());
        Assert.Equal([new TextCard(new string('가', 400), new WebLinkButton("전체 메뉴판", "https://example.com/menu"))], Render(new string('가', 400), link: Link).Outputs.ToArray());
    }

    [Fact]
    public void A_photo_or_a_link_alone_is_one_output()
    {
        Assert.Equal([new SimpleImage("https://example.com/menu.jpg", "사진")], Render(null, Photo).Outputs.ToArray());
        Assert.Equal([new TextCard("전체 메뉴판", new WebLinkButton("전체 메뉴판", "https://example.com/menu"))], Render(null, link: Link).Outputs.ToArray());
    }

    [Fact]
    public void An_empty_reply_still_has_one_output()
    {
        Assert.Equal([new SimpleText("…")], Render(null).Outputs.ToArray());
        Assert.Equal([new SimpleText("…")], Render("").Outputs.ToArray());
    }

    [Fact]
    public void A_text_keyboard_has_no_quick_replies()
    {
        Assert.Empty(Render("주소를 입력해 주세요.", keyboard: Keyboard.Text).QuickReplies);
    }

    [Fact]
    public void A_label_over_fourteen_characters_is_cut_but_sends_the_whole_label()
    {
        const string label = "불고기 페퍼로니 반반 피자 세트"; // 17 characters as users count them
        var reply = Render("골라 주세요.", link: new ReplyLink("매장 위치를 지도에서 크게 보기", "https://example.com/map"), keyboard: Keyboard.OfButtons([label, "👨‍👩‍👧‍👦 가족 세트 메뉴 할인 모음"]));

        Assert.Equal(label, reply.QuickReplies[0].MessageText);
        Assert.Equal("불고기 페퍼로니 반반 피…", reply.QuickReplies[0].Label);
        Assert.Equal(14, TextLength.Of(reply.QuickReplies[0].Label));
        Assert.Equal("👨‍👩‍👧‍👦 가족 세트 메뉴 할인…", reply.QuickReplies[1].Label); // the family emoji is one character
        Assert.Equal("매장 위치를 지도에서 크…", ((TextCard)reply.Outputs[0]).Button.Label);
    }

    [Fact]
    public void A_keyboard_of_more_than_ten_shows_its_first_page()
    {
        var keyboard = Keyboard.OfButtons(Enumerable.Range(1, 12).Select(i => $"{i}번"));

        var labels = Render("골라 주세요.", keyboard: keyboard).QuickReplies.Select(q => q.MessageText);

        Assert.Equal([.. Enumerable.Range(1, 9).Select(i => $"{i}번"), "다음"], labels);
    }

    [Fact]
    public void A_text_over_a_thousand_characters_is_cut_to_a_thousand()
    {
        var text = ((SimpleText)Render(new string('가', 1200)).Outputs[0]).Text;

        Assert.Equal(1000, TextLength.Of(text));
        Assert.EndsWith("…", text, StringComparison.Ordinal);
    }
}
