using System.Text;
using KakaoFlow.Compiling;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Host.Tests;

/// <summary>A flow saved while an Open Builder user is in the middle of a conversation: the next utterance gets the new version.</summary>
public sealed class SkillHotReloadTests
{
    private const string User = "skill-reload";

    private static string Version(int n, int pizzas) => Flows.Header + $$"""
        home:
          - 메뉴: { goto: menu }
        steps:
          menu:
            say: 메뉴 v{{n}}
            buttons:
        {{string.Concat(Enumerable.Range(1, pizzas).Select(i => $"      - 피자{i}: 피자{i} v{n}\n"))}}
        """;

    [Fact]
    public async Task A_flow_edit_under_a_live_skill_conversation_answers_the_next_utterance_from_the_new_version()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["hello"] = Version(1, 12) });
        await host.SkillAsync("hello", User, "메뉴");
        Assert.Equal(["이전", "피자10", "피자11", "피자12"], (await host.SkillAsync("hello", User, "다음")).Labels);

        // v2 has 11 pizzas: the user keeps their step and their page, which now shows what v2 has on it.
        var catalog = host.App.Services.GetRequiredService<BotCatalog>();
        using var changes = new CatalogChanges(catalog);
        var swapped = changes.SwappedIn("hello", Version(2, 11));
        await File.WriteAllTextAsync(Path.Combine(host.FlowsDirectory, "hello", "flow.yaml"), Version(2, 11), Encoding.UTF8);
        await swapped;

        var fallback = await host.SkillAsync("hello", User, "피자12");
        Assert.Equal("아래 버튼 중에서 선택해 주세요.", fallback.Texts);
        Assert.Equal(["이전", "피자10", "피자11"], fallback.Labels);
        Assert.Equal("피자11 v2", (await host.SkillAsync("hello", User, "피자11")).Texts);
        Assert.Equal(catalog.Find("hello")!.Version, host.SessionOf("hello", SkillCalls.KeyOf(User))?.FlowVersion);
    }

    [Fact]
    public async Task When_the_new_version_has_no_second_page_the_user_is_shown_the_only_one()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["hello"] = Version(1, 12) });
        await host.SkillAsync("hello", User, "메뉴");
        await host.SkillAsync("hello", User, "다음");

        using var changes = new CatalogChanges(host.App.Services.GetRequiredService<BotCatalog>());
        var swapped = changes.SwappedIn("hello", Version(2, 5));
        await File.WriteAllTextAsync(Path.Combine(host.FlowsDirectory, "hello", "flow.yaml"), Version(2, 5), Encoding.UTF8);
        await swapped;

        // 이전 was a page control of v1; v2's keyboard fits one page, so it is text the flow does not know.
        var fallback = await host.SkillAsync("hello", User, "이전");
        Assert.Equal("아래 버튼 중에서 선택해 주세요.", fallback.Texts);
        Assert.Equal(["피자1", "피자2", "피자3", "피자4", "피자5"], fallback.Labels);
        Assert.Equal(0, host.SessionOf("hello", SkillCalls.KeyOf(User))?.Page);
        Assert.Equal("피자5 v2", (await host.SkillAsync("hello", User, "피자5")).Texts);
    }
}
