using System.Text.Json;
using KakaoFlow.Runtime;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>
/// A user of the pizza bot, on <c>/message</c> or on <c>/skill</c>, parked at the size step: a refused request must
/// leave their session as it was, and their next answer must still take them on to the address.
/// </summary>
internal sealed class SizeStepUser
{
    private readonly TestHost _host;
    private readonly string _user;
    private readonly bool _skill;

    private SizeStepUser(TestHost host, string user, bool skill) => (_host, _user, _skill) = (host, user, skill);

    /// <summary>The session at the size step, before the request under test.</summary>
    public Session? Before { get; private set; }

    private string Key => _skill ? SkillCalls.KeyOf(_user) : _user;

    public static Task<SizeStepUser> OnMessageAsync(TestHost host, string user) => ParkAsync(new SizeStepUser(host, user, skill: false));

    public static Task<SizeStepUser> OnSkillAsync(TestHost host, string user) => ParkAsync(new SizeStepUser(host, user, skill: true));

    public async Task AssertUntouchedAndServingAsync()
    {
        SessionAssert.Same(Before, _host.SessionOf("pizza", Key));
        Assert.Equal("배달 받을 주소를 입력해 주세요.", await SayAsync("레귤러"));
    }

    private static async Task<SizeStepUser> ParkAsync(SizeStepUser user)
    {
        await user.SayAsync("메뉴 보기");
        await user.SayAsync("불고기 피자");
        user.Before = user._host.SessionOf("pizza", user.Key);
        Assert.Equal("size", user.Before?.StepId);
        return user;
    }

    /// <summary>The text of the bot's answer.</summary>
    private async Task<string> SayAsync(string text)
    {
        if (_skill)
        {
            return (await _host.SkillAsync("pizza", _user, text)).Texts;
        }

        using var answer = JsonDocument.Parse(await _host.MessageTextAsync("pizza", _user, text));
        return answer.RootElement.GetProperty("message").GetProperty("text").GetString()!;
    }
}
