using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// A bot's data is capped (<c>settings.data_limit_mb</c>, 10 MiB by default), over real HTTP and the LiteDB file: a
/// <c>data.set</c> past the cap is an Error the hook can catch, nothing past it is written, and it is not counted
/// against the bot's error budget when the hook handles it.
/// </summary>
public sealed class BotDataLimitTests
{
    /// <summary>Each press stores eight values of a quarter MiB (a value's own cap is 256 KiB) under new keys, stopping at the first refusal.</summary>
    private static string Flow(string settings) => Flows.Header + settings + """
        home:
          - 저장:
              js: |
                const value = '값'.repeat(87333);
                let saved = 0;
                try {
                  for (let i = 0; i < 8; i++) { data.set('키' + (vars.n || 0) + '-' + i, value); saved++; }
                  say(saved + '개 저장');
                } catch (e) {
                  say(saved + '개 저장, 그다음은: ' + e.message);
                }
                vars.n = (vars.n || 0) + 1;
          - 목록:
              js: "say('키 ' + data.keys().length + '개')"
        """;

    [Theory]
    [InlineData("", 10)]
    [InlineData("settings: { data_limit_mb: 3 }\n", 3)]
    public async Task A_data_set_past_the_bots_cap_is_a_catchable_error_and_nothing_past_it_is_written(string settings, int mebibytes)
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["memo"] = Flow(settings) }, Lifecycle.WithTokens());

        // 262,001 bytes a value (87,333 three-byte characters and the quotes) and a key of 7 or 8: four fit in a MiB, not five.
        var refused = "";
        for (var press = 0; press < 8 && !refused.Contains("그다음은", StringComparison.Ordinal); press++)
        {
            refused = await host.MessageTextAsync("memo", "메모하는 사람", "저장");
        }

        Assert.Contains($"{4 * mebibytes % 8}개 저장, 그다음은: ", refused, StringComparison.Ordinal);
        Assert.Contains($"over its limit of {mebibytes} MiB (settings.data_limit_mb)", refused, StringComparison.Ordinal);
        Assert.Contains($"키 {4 * mebibytes}개", await host.MessageTextAsync("memo", "메모하는 사람", "목록"), StringComparison.Ordinal);
        Assert.Equal(4 * mebibytes, host.Store.BotData.Keys("memo").Count);
        Assert.Null(host.Store.Services.ErrorsOn("memo", "2026-11-25"));
    }
}
