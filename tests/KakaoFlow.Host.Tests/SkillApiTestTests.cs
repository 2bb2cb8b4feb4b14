using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary><c>kakaoflow apitest BASE_URL --skill</c>: the API TEST's checks against <c>BASE_URL/skill</c> with a SkillPayload.</summary>
public sealed class SkillApiTestTests
{
    [Fact]
    public async Task Apitest_skill_passes_a_good_server_with_a_greeting_and_the_first_quick_reply()
    {
        await using var host = await TestHost.StartWithSamplesAsync();

        var output = await Apitest.PassingAsync(host, "--skill");

        OutputAssert.ContainsAll(
            output,
            $"POST {new Uri(host.Http.BaseAddress!, "pizza/skill")} (utterance \"안녕하세요\")",
            "(utterance \"메뉴 보기\")",
            "PASS  skill: version is 2.0",
            "PASS  skill: 1 to 3 outputs — 2 outputs",
            "PASS  skill: outputs[0] textCard — valid",
            "PASS  skill: outputs[1] simpleImage — valid",
            "PASS  skill: quickReplies — 6 quick replies, labels of at most 14 characters");
        Assert.Equal("menu", host.SessionOf("pizza", SkillCalls.KeyOf("kakaoflow-apitest"))?.StepId);
    }

    [Fact]
    public async Task Apitest_skill_fails_a_server_that_breaks_the_limits_and_says_why()
    {
        var quickReplies = string.Join(",", Enumerable.Range(1, 11).Select(i => $$"""{"label":"버튼{{i}}","action":"message","messageText":"버튼{{i}}"}"""));
        await using var server = await LoopbackServer.StartAsync((context, _) => LoopbackServer.WriteAsync(context, 200, "application/json",
            $$$"""
            {"version":"1.0","template":{"outputs":[
              {"simpleText":{"text":""}},
              {"simpleImage":{"imageUrl":"menu.jpg"}},
              {"textCard":{"description":"{{{new string('가', 401)}}}","buttons":[{"action":"webLink","label":"열다섯 글자가 넘는 아주 긴 버튼 이름","webLinkUrl":"https://x"}]}},
              {"bubble":{}}
            ],"quickReplies":[{{{quickReplies}}}]}}
            """));

        var output = await Apitest.FailingAsync(server.Url, "--skill");

        OutputAssert.ContainsAll(
            output,
            "FAIL  skill: version is 2.0 — version \"1.0\"",
            "FAIL  skill: 1 to 3 outputs — 4 outputs",
            "FAIL  skill: outputs[0] simpleText — text is 0 characters (1 to 1000)",
            "FAIL  skill: outputs[1] simpleImage — imageUrl must be an absolute http(s) URL; altText must be a non-empty string",
            "FAIL  skill: outputs[2] textCard — description is 401 characters (1 to 400); a button needs an action and a label of 1 to 14 characters",
            "FAIL  skill: outputs[3] bubble — \"bubble\" is not a skill component",
            "FAIL  skill: quickReplies — 11 quick replies (at most 10)");
        Assert.EndsWith("API TEST failed" + Environment.NewLine, output, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests); // no quick reply to follow
        Assert.Equal(("POST", "/bot/skill"), (request.Method, request.Path));
        Assert.Contains("\"utterance\":\"안녕하세요\"", System.Text.RegularExpressions.Regex.Unescape(request.Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apitest_skill_given_the_skill_url_itself_says_to_leave_out_skill()
    {
        await using var host = await TestHost.StartWithSamplesAsync();
        var bot = new Uri(host.Http.BaseAddress!, "pizza").ToString();

        var (exit, output, _) = await Kakaoflow.RunAsync(["apitest", bot + "/skill", "--skill"]);

        Assert.Equal(1, exit);
        Assert.Contains("FAIL  skill: status 200 — status 404", output, StringComparison.Ordinal);
        Assert.EndsWith(
            $"BASE_URL is the bot's address without /skill (apitest adds it): kakaoflow apitest {bot} --skill{Environment.NewLine}API TEST failed{Environment.NewLine}",
            output,
            StringComparison.Ordinal);
    }
}
