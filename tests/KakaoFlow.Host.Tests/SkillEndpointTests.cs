using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// <c>POST /{bot}/skill</c> end to end over HTTP with a real LiteDB file: the sample SkillPayload of docs/skill-api.md in, a
/// SkillResponse out, from the same flow, sessions, lifecycle and error budget as <c>/message</c>.
/// </summary>
public sealed class SkillEndpointTests
{
    private const string User = "8b2c0f4e9a7d";

    private static string Menu(int buttons, string extra = "") => Flows.Header + $"""
        home:
          - 메뉴:
              say: 피자를 골라 주세요.
              buttons:
        {string.Concat(Enumerable.Range(1, buttons).Select(i => $"        - 피자{i}: {i}번 피자를 담았어요.\n"))}{extra}
        """;

    [Fact]
    public async Task The_sample_payload_gets_the_menu_as_a_card_a_photo_and_quick_replies()
    {
        await using var host = await TestHost.StartWithSamplesAsync();

        var body = await host.SkillTextAsync("pizza", User, "메뉴 보기");

        Assert.Equal(
            """{"version":"2.0","template":{"outputs":[{"textCard":{"description":"오늘의 메뉴입니다. 주문할 피자를 골라 주세요.","buttons":[{"action":"webLink","label":"전체 메뉴판","webLinkUrl":"https://pizzanara.example.com/menu"}]}},{"simpleImage":{"imageUrl":"https://pizzanara.example.com/images/menu.jpg","altText":"사진"}}],"quickReplies":["""
            + string.Join(",", new[] { "불고기 피자", "페퍼로니 피자", "포테이토 피자", "고구마 피자", "치즈 피자", "처음으로" }.Select(label => $$"""{"label":"{{label}}","action":"message","messageText":"{{label}}"}"""))
            + "]}}",
            body);
        Assert.Equal("menu", host.SessionOf("pizza", SkillCalls.KeyOf(User))?.StepId);
    }

    [Fact]
    public async Task The_request_and_response_samples_of_skill_api_md_work_as_written()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(TestHost.RepoRoot, "docs", "skill-api.md"));
        var samples = Regex.Matches(doc, "```json\n(.*?)```", RegexOptions.Singleline).Select(match => match.Groups[1].Value).ToList();
        var payload = Assert.Single(samples, sample => sample.Contains("\"userRequest\"", StringComparison.Ordinal));
        var response = Assert.Single(samples, sample => sample.Contains("\"template\"", StringComparison.Ordinal));
        await using var host = await TestHost.StartWithSamplesAsync();

        using var answer = await host.PostJsonAsync("/pizza/skill", payload);

        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(["textCard", "simpleImage"], SkillAnswer.Parse(body).Outputs.Select(output => output.Kind));
        Assert.Equal("menu", host.SessionOf("pizza", SkillCalls.KeyOf("8b2c0f4e9a7d…"))?.StepId);

        // The response sample is one apitest --skill passes.
        var (checks, firstQuickReply) = Hosting.ApiTest.ApiChecks.Skill(200, "application/json; charset=utf-8", Encoding.UTF8.GetBytes(response));
        Assert.All(checks, check => Assert.True(check.Passed, $"{check.Name} — {check.Why}"));
        Assert.Equal("불고기 피자", firstQuickReply);
    }

    [Fact]
    public async Task A_whole_pizza_order_over_the_skill_channel()
    {
        await using var host = await TestHost.StartWithSamplesAsync();

        var welcome = await host.SkillAsync("pizza", User, "안녕하세요");
        Assert.Equal([("simpleText", "아래 버튼 중에서 선택해 주세요.")], welcome.Outputs);
        Assert.Equal(["메뉴 보기", "영업 시간", "매장 안내", "이벤트"], welcome.Labels);

        Assert.Equal("textCard", (await host.SkillAsync("pizza", User, "메뉴 보기")).Outputs[0].Kind);
        var size = await host.SkillAsync("pizza", User, "불고기 피자");
        Assert.Equal("불고기 피자의 크기를 골라 주세요. 라지는 4,000원이 추가돼요.", size.Texts);
        Assert.Equal(["레귤러", "라지", "다른 피자 고르기", "처음으로"], size.Labels);
        Assert.Contains("동의하시나요?", (await host.SkillAsync("pizza", User, "라지")).Texts, StringComparison.Ordinal);

        var address = await host.SkillAsync("pizza", User, "동의합니다");
        Assert.Equal("배달 받을 주소를 입력해 주세요. (예) 서울시 마포구 월드컵로 12, 301호", address.Texts);
        Assert.Empty(address.QuickReplies); // a text keyboard: the user types

        var confirm = await host.SkillAsync("pizza", User, "서울시 마포구 월드컵로 12, 301호");
        Assert.Equal("주문 내용을 확인해 주세요.\n메뉴: 불고기 피자 (라지)\n주소: 서울시 마포구 월드컵로 12, 301호\n금액: 18000원 + 크기 추가 4000원", confirm.Texts);
        Assert.Equal(["주문하기", "주소 다시 입력", "취소"], confirm.Labels);

        var done = await host.SkillAsync("pizza", User, "주문하기");
        Assert.StartsWith("주문이 접수되었습니다.", done.Texts, StringComparison.Ordinal);
        Assert.Equal(["메뉴 보기", "영업 시간", "매장 안내", "이벤트"], done.Labels);

        var session = host.SessionOf("pizza", SkillCalls.KeyOf(User))!;
        Assert.Equal(Session.HomeStepId, session.StepId);
        Assert.Equal("서울시 마포구 월드컵로 12, 301호", session.Vars["address"].GetString());
    }

    [Fact]
    public async Task The_same_id_on_both_channels_is_two_users_and_logs_show_only_a_hash()
    {
        await using var host = await TestHost.StartWithSamplesAsync();

        await host.SkillAsync("pizza", User, "메뉴 보기");
        await host.SkillAsync("pizza", User, "불고기 피자");
        var autoReply = await host.MessageTextAsync("pizza", User, "영업 시간");

        Assert.Contains("매일 오전 11시부터", autoReply, StringComparison.Ordinal);
        Assert.Equal("size", host.SessionOf("pizza", SkillCalls.KeyOf(User))?.StepId);
        Assert.Equal(Session.HomeStepId, host.SessionOf("pizza", User)?.StepId);
        Assert.Equal(2, host.Store.Sessions.Count("pizza"));

        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(User, StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, line => line.Contains(Hosting.UserTag.Of(SkillCalls.KeyOf(User)), StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Payloads => new()
    {
        { "only the two fields", """{"userRequest":{"user":{"id":"u-min"},"utterance":"메뉴"}}""" },
        { "every other field null", """{"intent":null,"userRequest":{"timezone":null,"params":null,"block":null,"utterance":"메뉴","lang":null,"user":{"id":"u-min","type":null,"properties":null},"callbackUrl":null},"bot":null,"action":null,"contexts":null}""" },
        { "fields of other shapes", """{"intent":[],"userRequest":{"params":"x","block":7,"utterance":"메뉴","user":{"id":"u-min","properties":[1,2]},"callbackUrl":{"url":1}},"bot":"피자나라","action":{"params":{"a":{"b":{"c":1}}},"clientExtra":null},"contexts":[{"name":"주문","lifeSpan":3,"params":{}}],"flow":{"trigger":{"type":"X"}}}""" },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Every_field_but_the_user_and_the_utterance_may_be_missing_null_or_anything(string name, string payload)
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["menu"] = Menu(2) });

        using var response = await host.PostJsonAsync("/menu/skill", payload);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {body}");
        Assert.Equal("피자를 골라 주세요.", SkillAnswer.Parse(body).Texts);
    }

    [Fact]
    public async Task Twelve_buttons_are_shown_nine_at_a_time_with_next_and_back_and_the_page_is_kept_across_a_restart()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["menu"] = Menu(12) });

        var first = await host.SkillAsync("menu", User, "메뉴");
        Assert.Equal([.. Enumerable.Range(1, 9).Select(i => $"피자{i}"), "다음"], first.Labels);

        var second = await host.SkillAsync("menu", User, "다음");
        Assert.Equal([("simpleText", "원하는 버튼을 선택하세요 (2/2)")], second.Outputs);
        Assert.Equal(["이전", "피자10", "피자11", "피자12"], second.Labels);
        Assert.Equal(1, host.SessionOf("menu", SkillCalls.KeyOf(User))?.Page);

        // Typed text that matches nothing: the fallback with the page the user is on; not an error.
        var fallback = await host.SkillAsync("menu", User, "콜라도 있나요?");
        Assert.Equal("아래 버튼 중에서 선택해 주세요.", fallback.Texts);
        Assert.Equal(["이전", "피자10", "피자11", "피자12"], fallback.Labels);
        Assert.Null(host.Store.Services.ErrorsOn("menu", "2026-11-25"));

        await host.RestartAsync();
        Assert.Equal(1, host.SessionOf("menu", SkillCalls.KeyOf(User))?.Page);
        var back = await host.SkillAsync("menu", User, "이전");
        Assert.Equal(first.Labels, back.Labels);

        // A button of the other page still answers: the flow matches every button of the keyboard.
        Assert.Equal("11번 피자를 담았어요.", (await host.SkillAsync("menu", User, "피자11")).Texts);
    }

    [Fact]
    public async Task A_label_of_sixteen_characters_is_shown_cut_and_pressing_it_sends_the_whole_label()
    {
        const string label = "불고기 페퍼로니 반반 피자"; // 14 characters
        const string longLabel = "불고기 페퍼로니 반반 피자 라지"; // 17 characters
        const string sixteen = "고구마 치즈 크러스트 피자 L"; // 16 characters
        Assert.Equal(16, TextLength.Of(sixteen));
        await using var host = await TestHost.StartAsync(new Dictionary<string, string>
        {
            ["menu"] = Flows.Header + $"""
                home:
                  - {label}: 반반 피자를 담았어요.
                  - {sixteen}: 크러스트 피자를 담았어요.
                  - {longLabel}: 라지를 담았어요.
                """,
        });

        var home = await host.SkillAsync("menu", User, "안녕");

        Assert.Equal([(label, label), ("고구마 치즈 크러스트 피…", sixteen), ("불고기 페퍼로니 반반 피…", longLabel)], home.QuickReplies);
        Assert.Equal("크러스트 피자를 담았어요.", (await host.SkillAsync("menu", User, sixteen)).Texts);
        Assert.Null(host.Store.Services.ErrorsOn("menu", "2026-11-25")); // a cut label is the channel's rendering, not an error
    }

    [Fact]
    public async Task A_text_too_long_for_a_card_is_a_simple_text_then_a_card_with_the_link_and_not_an_error()
    {
        var text = string.Concat(Enumerable.Repeat("원산지와 알레르기 정보입니다. ", 25)).TrimEnd();
        Assert.InRange(TextLength.Of(text), 401, 1000);
        await using var host = await TestHost.StartAsync(new Dictionary<string, string>
        {
            ["menu"] = Flows.Header + $$"""
                home:
                  - 안내:
                      say: {{text}}
                      link: { label: 자세히 보기, url: "https://example.com/info" }
                      photo: { url: "https://example.com/info.jpg", width: 640, height: 480 }
                """,
        });

        var body = await host.SkillTextAsync("menu", User, "안내");

        Assert.Equal(
            $$$"""{"version":"2.0","template":{"outputs":[{"simpleText":{"text":"{{{text}}}"}},{"textCard":{"description":"자세히 보기","buttons":[{"action":"webLink","label":"자세히 보기","webLinkUrl":"https://example.com/info"}]}},{"simpleImage":{"imageUrl":"https://example.com/info.jpg","altText":"사진"}}],"quickReplies":[{"label":"안내","action":"message","messageText":"안내"}]}}""",
            body);
        Assert.Null(host.Store.Services.ErrorsOn("menu", "2026-11-25"));
    }

    [Fact]
    public async Task A_text_over_a_thousand_characters_is_cut_and_counted_as_on_message()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string>
        {
            ["long"] = Flows.Header + """
                home:
                  - 길게:
                      js: "vars.t = '가'.repeat(1200)"
                      say: "{{t}}"
                """,
        });

        var cut = await host.SkillAsync("long", User, "길게");

        var (kind, text) = Assert.Single(cut.Outputs);
        Assert.Equal("simpleText", kind);
        Assert.Equal(new string('가', 999) + "…", text);
        Assert.Equal(1, host.Store.Services.ErrorsOn("long", "2026-11-25")?.Count);
        await host.MessageTextAsync("long", User, "길게");
        Assert.Equal(2, host.Store.Services.ErrorsOn("long", "2026-11-25")?.Count);
    }

    [Fact]
    public async Task A_stopped_bot_answers_stopped_and_leaves_the_session_alone()
    {
        await using var host = await TestHost.StartWithSamplesAsync(Lifecycle.WithTokens());
        await host.SkillAsync("pizza", User, "메뉴 보기");
        var before = host.SessionOf("pizza", SkillCalls.KeyOf(User));
        var (status, _) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/stop", Lifecycle.OwnerToken, """{"reason":"점검"}""");
        Assert.Equal(200, status);

        var stopped = await host.SkillAsync("pizza", User, "불고기 피자");

        Assert.Equal("지금은 주문 접수를 잠시 쉬고 있어요. 전화(02-123-4567)로 주문해 주세요.", stopped.Texts);
        Assert.Equal(["메뉴 보기", "영업 시간", "매장 안내", "이벤트"], stopped.Labels);
        SessionAssert.Same(before, host.SessionOf("pizza", SkillCalls.KeyOf(User)));
    }

    [Fact]
    public async Task Skill_turns_count_toward_the_same_daily_error_budget()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["flaky"] = Lifecycle.Flaky(2) }, Lifecycle.WithTokens());

        await host.MessageTextAsync("flaky", "auto-reply-user", "고장");
        var error = await host.SkillAsync("flaky", "skill-user-1", "고장");
        Assert.Equal("일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.", error.Texts);
        Assert.Equal(["고장", "정상"], error.Labels);
        Assert.Equal(2, host.Store.Services.ErrorsOn("flaky", "2026-11-25")?.Count);

        await host.SkillAsync("flaky", "skill-user-2", "고장");
        Assert.Equal(ServiceState.StoppedByErrors, host.Store.Services.Find("flaky")?.State);
        Assert.Equal("지금은 서비스를 잠시 쉬고 있어요.", (await host.SkillAsync("flaky", "skill-user-2", "정상")).Texts);
    }

    [Fact]
    public async Task A_turn_past_the_reply_bound_answers_the_error_and_the_user_goes_home()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["menu"] = Menu(12) },
            options => options with
            {
                ReplyTimeout = TimeSpan.FromMilliseconds(300),
                Stepper = Steppers.RealStepAfter((turn, _) =>
                {
                    if (turn.Content == "느림")
                    {
                        Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None).Wait(CancellationToken.None);
                    }
                }),
            });
        await host.SkillAsync("menu", User, "메뉴");
        await host.SkillAsync("menu", User, "다음");

        var late = await host.SkillAsync("menu", User, "느림");

        Assert.Equal("일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.", late.Texts);
        Assert.Equal(["메뉴"], late.Labels);
        var session = host.SessionOf("menu", SkillCalls.KeyOf(User))!;
        Assert.Equal((Session.HomeStepId, 0), (session.StepId, session.Page));
        Assert.Equal(1, host.Store.Services.ErrorsOn("menu", "2026-11-25")?.Count);
    }

    [Fact]
    public async Task A_turn_that_throws_is_a_skill_response_with_the_error_not_a_5xx()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["menu"] = Menu(2) },
            options => options with { Stepper = (_, _, _, _, _) => throw new InvalidOperationException("bug") });

        using var response = await host.SendSkillAsync("menu", User, "메뉴");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = SkillAnswer.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([("simpleText", "일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.")], answer.Outputs);
        Assert.Equal(["메뉴"], answer.Labels);
        Assert.Equal("internal", Assert.Single(host.Store.Services.ErrorsOn("menu", "2026-11-25")!.Recent).Kind);
    }

    [Fact]
    public async Task With_a_webhook_secret_a_skill_call_needs_it()
    {
        const string secret = "s3cret-pizza-0123456789";
        await using var host = await TestHost.StartWithSamplesAsync(options => options with { WebhookSecret = secret });

        using (var refused = await host.SendSkillAsync("pizza", User, "메뉴 보기"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("""{"code":201,"message":"wrong api key: send the header X-KakaoFlow-Secret"}""", await refused.Content.ReadAsStringAsync());
        }

        Assert.Null(host.SessionOf("pizza", SkillCalls.KeyOf(User)));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/pizza/skill", UriKind.Relative))
        {
            Content = new StringContent(SkillCalls.Payload(User, "메뉴 보기"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-KakaoFlow-Secret", secret);
        using var accepted = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("menu", host.SessionOf("pizza", SkillCalls.KeyOf(User))?.StepId);
    }
}
