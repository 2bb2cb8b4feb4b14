using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting;
using KakaoFlow.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// Skill users' sessions over HTTP with a real LiteDB file, exactly as on <c>/message</c>: context expiry (the quick-reply
/// page with it), retention, and one turn at a time per user in arrival order.
/// </summary>
public sealed class SkillSessionTests
{
    private const string User = "skill-session";

    private static readonly string Twelve = Flows.Header + $"""
        home:
          - 메뉴:
              say: 피자를 골라 주세요.
              buttons:
        {string.Concat(Enumerable.Range(1, 12).Select(i => $"        - 피자{i}: {{ set: {{ last: 피자{i} }}, say: {i}번 피자를 담았어요. }}\n"))}
        """;

    [Fact]
    public async Task The_context_expires_after_context_ttl_and_the_page_goes_back_to_the_first()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["menu"] = Twelve });
        await host.SkillAsync("menu", User, "메뉴");
        await host.SkillAsync("menu", User, "다음");

        host.Clock.Advance(TimeSpan.FromMinutes(9));
        var stillThere = await host.SkillAsync("menu", User, "콜라");
        Assert.Equal(["이전", "피자10", "피자11", "피자12"], stillThere.Labels);

        host.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        // 이전 was on the page the user saw; with the context gone it is ordinary text, answered from Home.
        var home = await host.SkillAsync("menu", User, "이전");

        Assert.Equal("아래 버튼 중에서 선택해 주세요.", home.Texts);
        Assert.Equal(["메뉴"], home.Labels);
        var session = host.SessionOf("menu", SkillCalls.KeyOf(User))!;
        Assert.Equal((Session.HomeStepId, 0), (session.StepId, session.Page));
        Assert.Equal(TestHost.Start.AddMinutes(19).AddSeconds(1), session.LastMessageAt);
    }

    [Fact]
    public async Task A_skill_session_past_retention_is_swept_like_any_other()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["menu"] = Twelve },
            options => options with { SweepInterval = TimeSpan.FromHours(1) });
        await host.SkillAsync("menu", "skill-old", "메뉴");
        await host.SkillAsync("menu", "skill-old", "피자3");
        Assert.Equal("피자3", host.SessionOf("menu", SkillCalls.KeyOf("skill-old"))!.Vars["last"].GetString());

        host.Clock.Advance(TimeSpan.FromDays(29));
        await host.SkillAsync("menu", "skill-recent", "메뉴");
        host.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        await Lifecycle.EventuallyAsync(() => host.SessionOf("menu", SkillCalls.KeyOf("skill-old")) is null, "the sweep to delete skill-old", seconds: 10);

        Assert.NotNull(host.SessionOf("menu", SkillCalls.KeyOf("skill-recent")));
        await host.SkillAsync("menu", "skill-old", "메뉴");
        Assert.False(host.SessionOf("menu", SkillCalls.KeyOf("skill-old"))!.Vars.ContainsKey("last"));
    }

    [Fact]
    public async Task Racing_utterances_of_one_skill_user_each_advance_the_chain_once()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["chain"] = Flows.Chain(30) },
            options => options with { ReplyTimeout = TimeSpan.FromSeconds(30), Stepper = Steppers.RealStepAfter((_, _) => Thread.Sleep(5)) });

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => host.SkillAsync("chain", User, "다음")));

        // Without per-user serialisation two turns read the same session and one step is lost (a repeated answer).
        Assert.Equal(
            Enumerable.Range(1, 30).Select(i => $"{i}번째").Order(StringComparer.Ordinal),
            answers.Select(answer => answer.Texts).Order(StringComparer.Ordinal));
        Assert.Equal("s30", host.SessionOf("chain", SkillCalls.KeyOf(User))?.StepId);
        Assert.Equal(0, host.App.Services.GetRequiredService<ConversationService>().Locks.ActiveKeys);
    }
}
