using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using System.CommandLine;
using KakaoFlow.Hosting.ApiTest;

namespace KakaoFlow.Cli.ApiTest;

/// <summary>
/// <c>kakaoflow apitest BASE_URL</c>: what the platform does before a service may start — <c>GET BASE_URL/keyboard</c>
/// checked against the auto-reply API (docs/kakao-api.md) — then one test message (<c>POST BASE_URL/message</c> with the first Home button)
/// and its reply checked too. Talks plain HTTP to any server; prints each check with PASS/FAIL and why.
/// </summary>
public static class ApiTestCommand
{
    public const string DefaultUser = "kakaoflow-apitest";

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
        var command = new Command("apitest", "The platform's API TEST against any server: GET BASE_URL/keyboard, then one POST BASE_URL/message.")
        {
            baseUrl,
            user,
        };
        command.SetAction((parse, cancellation) => RunAsync(parse.GetValue(baseUrl)!, parse.GetValue(user)!, io.Out, io.Error));
        return command;
    }

    /// <summary>Exit codes: 0 every check passed, 1 a check failed or the server could not be reached, 2 not an http(s) URL.</summary>
    public static async Task<int> RunAsync(string baseUrl, string user, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https"))
        {
            await stderr.WriteLineAsync($"kakaoflow apitest: give the bot's base URL (http or https), not '{baseUrl}'").ConfigureAwait(false);
            return CommandLine.Usage;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var passed = await RunChecksAsync(http, root, user, stdout).ConfigureAwait(false);
        await stdout.WriteLineAsync(passed ? "API TEST passed" : "API TEST failed").ConfigureAwait(false);
        return passed ? 0 : 1;
    }

    private static async Task<bool> RunChecksAsync(HttpClient http, Uri root, string user, TextWriter stdout)
    {
        var all = true;
        async Task Print(IEnumerable<ApiCheck> checks)
        {
            foreach (var check in checks)
            {
                all &= check.Passed;
                await stdout.WriteLineAsync($"{(check.Passed ? "PASS" : "FAIL")}  {check.Name} — {check.Why}").ConfigureAwait(false);
            }
        }

        var keyboardUrl = new Uri(root, "keyboard");
        await stdout.WriteLineAsync($"GET {keyboardUrl}").ConfigureAwait(false);
        var keyboard = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, keyboardUrl)).ConfigureAwait(false);
        if (keyboard.Error is { } unreachable)
        {
            await Print([new("keyboard: server answers", false, unreachable)]).ConfigureAwait(false);
            return false;
        }

        var (keyboardChecks, firstButton) = ApiChecks.Keyboard(keyboard.Status, keyboard.ContentType, keyboard.Body);
        await Print([Timing("keyboard", keyboard.Elapsed), .. keyboardChecks]).ConfigureAwait(false);

        var content = firstButton ?? "안녕하세요";
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["user_key"] = user, ["type"] = "text", ["content"] = content });
        var messageUrl = new Uri(root, "message");
        await stdout.WriteLineAsync($"POST {messageUrl} (content \"{content}\")").ConfigureAwait(false);
        var request = new HttpRequestMessage(HttpMethod.Post, messageUrl) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        var message = await SendAsync(http, request).ConfigureAwait(false);
        if (message.Error is { } failed)
        {
            await Print([new("message: server answers", false, failed)]).ConfigureAwait(false);
            return false;
        }

        await Print([Timing("message", message.Elapsed), .. ApiChecks.Message(message.Status, message.ContentType, message.Body)]).ConfigureAwait(false);
        return all;
    }

    private static ApiCheck Timing(string what, TimeSpan elapsed) =>
        new($"{what}: answered within {Recommended.TotalSeconds:0} s", elapsed <= Recommended, $"{elapsed.TotalMilliseconds:0} ms");

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
                return (0, null, [], Stopwatch.GetElapsedTime(started), $"no answer: {e.Message}");
            }
            catch (TaskCanceledException)
            {
                return (0, null, [], Stopwatch.GetElapsedTime(started), $"no answer within {http.Timeout.TotalSeconds:0} s (the platform tells users \"no response\")");
            }
        }
    }
}
