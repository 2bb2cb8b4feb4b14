using KakaoFlow.Runtime;
using KakaoFlow.Skill;

namespace KakaoFlow.Tests.Skill;

public sealed class SkillPagesTests
{
    private static Keyboard Numbered(int count, params string[] extra) =>
        Keyboard.OfButtons([.. Enumerable.Range(1, count).Select(i => $"버튼{i}"), .. extra]);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(12, 2)]
    [InlineData(18, 2)]
    [InlineData(19, 3)]
    [InlineData(26, 3)]
    [InlineData(27, 4)]
    public void A_keyboard_takes_as_many_pages_as_ten_quick_replies_need(int buttons, int pages)
    {
        var keyboard = Numbered(buttons);
        Assert.Equal(pages, SkillPages.CountOf(keyboard));

        // Every page fits the platform, and together the pages show every button once, in order.
        var shown = new List<string>();
        for (var page = 0; page < pages; page++)
        {
            var view = SkillPages.View(keyboard, page).Buttons;
            Assert.InRange(view.Length, 1, SkillLimits.MaxQuickReplies);
            shown.AddRange(view.Where(label => label is not (SkillPages.Next or SkillPages.Previous)));
        }

        Assert.Equal(keyboard.Buttons.ToArray(), shown);
    }

    [Fact]
    public void Twelve_buttons_show_nine_and_next_then_back_and_three()
    {
        var keyboard = Numbered(12);

        Assert.Equal([.. Enumerable.Range(1, 9).Select(i => $"버튼{i}"), "다음"], SkillPages.View(keyboard, 0).Buttons.ToArray());
        Assert.Equal(["이전", "버튼10", "버튼11", "버튼12"], SkillPages.View(keyboard, 1).Buttons.ToArray());
        Assert.Equal(SkillPages.View(keyboard, 1), SkillPages.View(keyboard, 7)); // kept within the pages
    }

    [Fact]
    public void A_middle_page_has_back_eight_buttons_and_next()
    {
        var view = SkillPages.View(Numbered(20), 1).Buttons.ToArray();

        Assert.Equal(["이전", .. Enumerable.Range(10, 8).Select(i => $"버튼{i}"), "다음"], view);
    }

    [Fact]
    public void Ten_buttons_or_fewer_and_text_keyboards_are_shown_as_they_are()
    {
        var ten = Numbered(10);
        Assert.Same(ten, SkillPages.View(ten, 0));
        Assert.Same(Keyboard.Text, SkillPages.View(Keyboard.Text, 0));
        Assert.Null(SkillPages.Turn(ten, 0, "다음"));
    }

    [Fact]
    public void Next_and_back_turn_pages_only_where_they_are_shown()
    {
        var keyboard = Numbered(20);

        Assert.Equal(1, SkillPages.Turn(keyboard, 0, "다음"));
        Assert.Equal(2, SkillPages.Turn(keyboard, 1, " 다음 "));
        Assert.Null(SkillPages.Turn(keyboard, 2, "다음")); // the last page has no 다음
        Assert.Equal(1, SkillPages.Turn(keyboard, 2, "이전"));
        Assert.Null(SkillPages.Turn(keyboard, 0, "이전")); // the first page has no 이전
        Assert.Null(SkillPages.Turn(keyboard, 0, "버튼3"));
    }

    [Fact]
    public void A_real_button_labelled_next_or_back_keeps_its_label_and_the_controls_get_arrows()
    {
        var keyboard = Numbered(11, "다음", "이전");

        Assert.Equal("다음 ▶", SkillPages.NextLabel(keyboard));
        Assert.Equal("◀ 이전", SkillPages.PreviousLabel(keyboard));
        Assert.Equal("다음 ▶", SkillPages.View(keyboard, 0).Buttons[^1]);
        Assert.Equal(["◀ 이전", "버튼10", "버튼11", "다음", "이전"], SkillPages.View(keyboard, 1).Buttons.ToArray());
        Assert.Null(SkillPages.Turn(keyboard, 0, "다음")); // the real button: the flow answers it
        Assert.Equal(1, SkillPages.Turn(keyboard, 0, "다음 ▶"));

        var both = Numbered(11, "다음", "다음 ▶");
        Assert.Equal("다음 ▶ ▶", SkillPages.NextLabel(both));
    }

    [Fact]
    public void The_page_text_is_the_clients_guide_line_with_the_page()
    {
        Assert.Equal("원하는 버튼을 선택하세요 (2/3)", SkillPages.PageText(1, 3));
    }
}
