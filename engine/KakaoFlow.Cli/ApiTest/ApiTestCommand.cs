using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Hosting.ApiTest;

namespace KakaoFlow.Cli.ApiTest;

/// <summary>
/// <c>kakaoflow apitest BASE_URL</c>: what the platform does before a service may start — <c>GET BASE_URL/keyboard</c>
/// checked against the auto-reply API (docs/kakao-api.md) — then one test message (<c>POST BASE_URL/message</c> with the first Home button)
/// and its reply checked too. With <c>--skill</c>, the same checks for an Open Builder skill (docs/skill-api.md): two
/// <c>POST BASE_URL/skill</c> with a SkillPayload, a greeting and then the first quick reply. Talks plain HTTP to any
/// server; prints each check with PASS/FAIL and why.
/// </summary>
public static class ApiTestCommand
{
    public const string DefaultUser = "kakaoflow-apitest";

    /// <summary>What the skill test says first, as a user opening the chat would.</summary>
    public const string Greeting = "안녕하세요";

    /// <summary>The platform's recommended answer time; past 10 s users see "no response".</summary>
    private static readonly TimeSpan Recommended = TimeSpan.FromSeconds(5);

    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var baseUrl = new Argument<string>("BASE_URL")
        {
            Description = "the bot's registered URL, e.g. https://bot.example.com/pizza (the platform appends /keyboard, /message)",
        };
        var user = new Option<string>("--user")
        {
            Description = "user_key of the test message",
            DefaultValueFactory = _ => DefaultUser,
        };
        var skill = new Option<bool>("--skill")
        {
            Description = "test an Open Builder skill instead: POST BASE_URL/skill with a SkillPayload (a greeting, then the first quick reply)",
        };
        var command = new Command("apitest", "The platform's API TEST against any server: GET BASE_URL/keyboard, then one POST BASE_URL/message (--skill: POST BASE_URL/skill).")
        {
            baseUrl,
            user,
            skill,
        };
        command.SetAction((parse, cancellation) => RunAsync(parse.GetValue(baseUrl)!, parse.GetValue(user)!, io.Out, io.Error, parse.GetValue(skill)));
        return command;
    }

    /// <summary>Exit codes: 0 every check passed, 1 a check failed or the server could not be reached, 2 not an http(s) URL.</summary>
    public static async Task<int> RunAsync(string baseUrl, string user, TextWriter stdout, TextWriter stderr, bool skill = false)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https"))
        {
            await stderr.WriteLineAsync(Messages.Format(CliMessages.ApiTest_BadUrl, baseUrl)).ConfigureAwait(false);
            return CommandLine.Usage;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var passed = skill
            ? await RunSkillChecksAsync(http, root, user, stdout).ConfigureAwait(false)
            : await RunChecksAsync(http, root, user, stdout).ConfigureAwait(false);
        if (!passed && skill && root.AbsolutePath.EndsWith("/skill/", StringComparison.Ordinal))
        {
            // The URL typed into Open Builder ends in /skill; apitest wants the bot's address and adds /skill itself.
            var bot = new Uri(root, "..").ToString().TrimEnd('/');
            await stdout.WriteLineAsync(Messages.Format(CliMessages.ApiTest_SkillUrlGiven, bot)).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync(passed ? CliMessages.ApiTest_Passed : CliMessages.ApiTest_Failed).ConfigureAwait(false);
        return passed ? 0 : 1;
    }

    private static async Task<bool> RunChecksAsync(HttpClient http, Uri root, string user, TextWriter stdout)
    {
        var all = true;
        async Task Print(IEnumerable<ApiCheck> checks) => all &= await PrintAsync(stdout, checks).ConfigureAwait(false);

        var keyboardUrl = new Uri(root, "keyboard");
        await stdout.WriteLineAsync($"GET {keyboardUrl}").ConfigureAwait(false);
        var keyboard = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, keyboardUrl)).ConfigureAwait(false);
        if (keyboard.Error is { } unreachable)
        {
            await Print([new(Messages.Format(CliMessages.ApiTest_ServerAnswers, "keyboard"), false, unreachable)]).ConfigureAwait(false);
            return false;
        }

        var (keyboardChecks, firstButton) = ApiChecks.Keyboard(keyboard.Status, keyboard.ContentType, keyboard.Body);
        await Print([Timing("keyboard", keyboard.Elapsed), .. keyboardChecks]).ConfigureAwait(false);

        var content = firstButton ?? "안녕하세요";
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["user_key"] = user, ["type"] = "text", ["content"] = content });
        var messageUrl = new Uri(root, "message");
        await stdout.WriteLineAsync($"POST {messageUrl} (content \"{content}\")").ConfigureAwait(false);
        var request = new HttpRequestMessage(HttpMethod.Post, messageUrl) { Content = JsonContent(body) };
        var message = await SendAsync(http, request).ConfigureAwait(false);
        if (message.Error is { } failed)
        {
            await Print([new(Messages.Format(CliMessages.ApiTest_ServerAnswers, "message"), false, failed)]).ConfigureAwait(false);
            return false;
        }

        await Print([Timing("message", message.Elapsed), .. ApiChecks.Message(message.Status, message.ContentType, message.Body)]).ConfigureAwait(false);
        return all;
    }

    /// <summary>The skill test: a greeting, then the first quick reply of its answer (when there is one), each answer checked.</summary>
    private static async Task<bool> RunSkillChecksAsync(HttpClient http, Uri root, string user, TextWriter stdout)
    {
        var all = true;
        var skillUrl = new Uri(root, "skill");
        string? utterance = Greeting;
        for (var round = 0; round < 2 && utterance is not null; round++)
        {
            await stdout.WriteLineAsync($"POST {skillUrl} (utterance \"{utterance}\")").ConfigureAwait(false);
            var request = new HttpRequestMessage(HttpMethod.Post, skillUrl) { Content = JsonContent(SkillPayload(user, utterance)) };
            var answer = await SendAsync(http, request).ConfigureAwait(false);
            if (answer.Error is { } failed)
            {
                await PrintAsync(stdout, [new(Messages.Format(CliMessages.ApiTest_ServerAnswers, "skill"), false, failed)]).ConfigureAwait(false);
                return false;
            }

            var (checks, firstQuickReply) = ApiChecks.Skill(answer.Status, answer.ContentType, answer.Body);
            all &= await PrintAsync(stdout, [Timing("skill", answer.Elapsed), .. checks]).ConfigureAwait(false);
            utterance = firstQuickReply;
        }

        return all;
    }

    /// <summary>A SkillPayload as Open Builder's fallback block sends it (docs/skill-api.md), with the fields a server relies on.</summary>
    private static string SkillPayload(string user, string utterance)
    {
        var userRequest = new Dictionary<string, object>
        {
            ["timezone"] = "Asia/Seoul",
            ["block"] = new Dictionary<string, string> { ["id"] = "kakaoflow-apitest", ["name"] = "폴백 블록" },
            ["utterance"] = utterance,
            ["lang"] = "ko",
            ["user"] = new Dictionary<string, object> { ["id"] = user, ["type"] = "botUserKey", ["properties"] = new Dictionary<string, string> { ["botUserKey"] = user } },
        };
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["intent"] = new Dictionary<string, string> { ["id"] = "kakaoflow-apitest", ["name"] = "폴백 블록" },
            ["userRequest"] = userRequest,
            ["bot"] = new Dictionary<string, string> { ["id"] = "kakaoflow-apitest", ["name"] = "kakaoflow apitest" },
            ["action"] = new Dictionary<string, object> { ["id"] = "kakaoflow-apitest", ["name"] = "kakaoflow", ["params"] = new Dictionary<string, string>() },
            ["contexts"] = Array.Empty<object>(),
        });
    }

    private static StringContent JsonContent(string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        return content;
    }

    /// <summary>Prints each check as PASS or FAIL with why; true when all passed.</summary>
    private static async Task<bool> PrintAsync(TextWriter stdout, IEnumerable<ApiCheck> checks)
    {
        var all = true;
        foreach (var check in checks)
        {
            all &= check.Passed;
            await stdout.WriteLineAsync($"{(check.Passed ? CliMessages.ApiTest_Pass : CliMessages.ApiTest_Fail)}  {check.Name} — {check.Why}").ConfigureAwait(false);
        }

        return all;
    }

    private static ApiCheck Timing(string what, TimeSpan elapsed) =>
        new(Messages.Format(CliMessages.ApiTest_AnsweredWithin, what, Recommended.TotalSeconds), elapsed <= Recommended, $"{elapsed.TotalMilliseconds:0} ms");

    private static async Task<(int Status, string? ContentType, byte[] Body, TimeSpan Elapsed, string? Error)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request).ConfigureAwait(false);
                var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), bytes, Stopwatch.GetElapsedTime(started), null);
            }
            catch (HttpRequestException e)
            {
                return (0, null, [], Stopwatch.GetElapsedTime(started), Messages.Format(CliMessages.ApiTest_NoAnswer, e.Message));
            }
            catch (TaskCanceledException)
            {
                return (0, null, [], Stopwatch.GetElapsedTime(started), Messages.Format(CliMessages.ApiTest_Timeout, http.Timeout.TotalSeconds));
            }
        }
    }
}
