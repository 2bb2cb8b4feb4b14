using System.Net;
using System.Text;
using System.Text.Json;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// The hardening settings as an operator gives them to <c>kakaoflow serve</c> (a real process): the webhook secret from
/// <c>--webhook-secret</c> or <c>KAKAOFLOW_WEBHOOK_SECRET</c>, the per-user error cap (10 unless configured), and a bad
/// value refused with what is wrong — never an unhandled exception.
/// </summary>
public sealed class ServeHardeningSettingsTests : IDisposable
{
    private const string Secret = "s3cret-pizza-0123456789";
    private const string Token = "owner-token-for-the-settings-test";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "kakaoflow-host-tests", Guid.NewGuid().ToString("N"));

    public ServeHardeningSettingsTests()
    {
        foreach (var (bot, flow) in new[] { ("pizza", Flows.Pizza), ("flaky", Lifecycle.Flaky(100)) })
        {
            var folder = Path.Combine(_root, "flows", bot);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "flow.yaml"), flow, Encoding.UTF8);
        }
    }

    private string DataFile => Path.Combine(_root, "state.litedb");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("variable")]
    [InlineData("option")]
    public async Task The_webhook_secret_from_the_variable_or_the_option_guards_every_webhook_call(string given)
    {
        var environment = new Dictionary<string, string>();
        string[] arguments = [];
        if (given == "variable")
        {
            environment["KAKAOFLOW_WEBHOOK_SECRET"] = Secret;
        }
        else
        {
            arguments = ["--webhook-secret", Secret];
        }

        using var server = await ServeProcess.StartAsync(_root, DataFile, environment, arguments);

        foreach (var (method, path, body) in Calls)
        {
            var (status, answer) = await server.SendAsync(Request(method, path, body, secret: null));
            Assert.True(status == HttpStatusCode.Unauthorized, $"{method} {path} without the secret: {status} {answer}");
            Assert.Equal("""{"code":201,"message":"wrong api key: send the header X-KakaoFlow-Secret"}""", answer);
        }

        var (okStatus, reply) = await server.SendAsync(Request(HttpMethod.Post, "/pizza/message", Json.Message("손님", "text", "메뉴 보기"), Secret));
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Contains("불고기 피자", reply, StringComparison.Ordinal);
        var (skillStatus, skillReply) = await server.SendAsync(Request(HttpMethod.Post, "/pizza/skill", SkillCalls.Payload("손님", "영업 시간"), Secret));
        Assert.Equal(HttpStatusCode.OK, skillStatus);
        Assert.Contains("\"version\":\"2.0\"", skillReply, StringComparison.Ordinal);
        Assert.Equal(0, await server.TerminateAsync());
    }

    [Theory]
    [InlineData(null, 10)]
    [InlineData("3", 3)]
    public async Task One_user_counts_at_most_ten_errors_a_day_unless_the_configuration_says_otherwise(string? configured, int counted)
    {
        var environment = new Dictionary<string, string> { ["KAKAOFLOW_ADMIN_TOKEN"] = Token };
        if (configured is not null)
        {
            environment["KakaoFlow__ErrorsPerUserPerDay"] = configured;
        }

        using var server = await ServeProcess.StartAsync(_root, DataFile, environment);
        for (var i = 0; i < 13; i++)
        {
            await server.SayAsync("flaky", "한 사람", "고장");
        }

        var (status, detail) = await server.AdminAsync(HttpMethod.Get, "/_admin/bots/flaky", Token);
        Assert.True(status == HttpStatusCode.OK, detail);
        using var view = JsonDocument.Parse(detail);
        Assert.Equal(counted, view.RootElement.GetProperty("errors_today").GetInt32());
        Assert.Equal("running", view.RootElement.GetProperty("state").GetString());
        Assert.Equal(0, await server.TerminateAsync());
    }

    [Theory]
    [InlineData("KAKAOFLOW_WEBHOOK_SECRET", "short", "--webhook-secret (or $KAKAOFLOW_WEBHOOK_SECRET) must be at least 16 printable ASCII characters")]
    [InlineData("--webhook-secret", "a secret with spaces in it", "--webhook-secret (or $KAKAOFLOW_WEBHOOK_SECRET) must be at least 16 printable ASCII characters")]
    [InlineData("KakaoFlow__ErrorsPerUserPerDay", "0", "ErrorsPerUserPerDay must be at least 1")]
    public async Task A_bad_setting_stops_serve_with_what_is_wrong_not_a_crash(string name, string value, string expected)
    {
        var (exit, output, error) = name.StartsWith("--", StringComparison.Ordinal)
            ? await ServeProcess.RunUntilExitAsync(_root, DataFile, arguments: [name, value])
            : await ServeProcess.RunUntilExitAsync(_root, DataFile, new Dictionary<string, string> { [name] = value });

        Assert.True(exit == 2, $"exit {exit}:\n{output}\n{error}");
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        if (name.Contains("secret", StringComparison.OrdinalIgnoreCase))
        {
            Assert.DoesNotContain(value, error + output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_token_file_that_is_a_link_stops_serve_with_one_message_not_a_stack_trace()
    {
        var elsewhere = Path.Combine(_root, "someone-elses-token");
        File.WriteAllText(elsewhere, "existing-token-0123456789\n");
        File.CreateSymbolicLink(Path.Combine(_root, "kakaoflow.admin-token"), elsewhere);

        var (exit, output, error) = await ServeProcess.RunUntilExitAsync(_root, Path.Combine(_root, "kakaoflow.litedb"));

        Assert.True(exit == 1, $"exit {exit}:\n{output}\n{error}");
        Assert.Contains("is a symbolic link", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
    }

    private static (HttpMethod Method, string Path, string? Body)[] Calls =>
    [
        (HttpMethod.Post, "/pizza/message", Json.Message("손님", "text", "메뉴 보기")),
        (HttpMethod.Post, "/pizza/friend", Json.Friend("손님")),
        (HttpMethod.Delete, "/pizza/friend/%EC%86%90%EB%8B%98", null),
        (HttpMethod.Delete, "/pizza/chat_room/%EC%86%90%EB%8B%98", null),
        (HttpMethod.Post, "/pizza/skill", SkillCalls.Payload("손님", "메뉴 보기")),
    ];

    private static HttpRequestMessage Request(HttpMethod method, string path, string? body, string? secret)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (secret is not null)
        {
            request.Headers.Add("X-KakaoFlow-Secret", secret);
        }

        return request;
    }
}
