using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KakaoFlow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>Flows and helpers for the service lifecycle tests.</summary>
internal static class Lifecycle
{
    public const string OwnerToken = "owner-token-for-tests";
    public const string OperatorToken = "operator-token-for-tests";

    /// <summary>A bot whose "고장" button runs a hook that throws; a small daily error limit.</summary>
    public static string Flaky(int limit) => $$"""
        name: 불안정
        monitor: { phone: "010-9999-0000" }
        privacy_consent: true
        settings:
          error_limit_per_day: {{limit}}
        home:
          - 고장:
              js: "throw new Error('고장났어요')"
              say: 보이지 않는 답
          - 정상: 잘 돼요
        """;

    public const string NoConsent = """
        name: 동의없음
        monitor: { phone: "010-1111-2222" }
        home:
          - 안녕: 안녕하세요
        """;

    public static Func<TestHostOptions, TestHostOptions> WithTokens(Func<TestHostOptions, TestHostOptions>? more = null) =>
        options =>
        {
            options = options with { AdminToken = OwnerToken, OperatorToken = OperatorToken };
            return more?.Invoke(options) ?? options;
        };

    public static async Task<(int Status, JsonElement Body)> AdminAsync(this TestHost host, HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await host.Http.SendAsync(request);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    public static async Task<string> StateAsync(this TestHost host, string bot)
    {
        var (status, body) = await host.AdminAsync(HttpMethod.Get, $"/_admin/bots/{bot}", OwnerToken);
        Assert.Equal(200, status);
        return body.GetProperty("state").GetString()!;
    }

    /// <summary>Waits (real time) until <paramref name="done"/> holds, failing after <paramref name="seconds"/>.</summary>
    public static async Task EventuallyAsync(Func<bool> done, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for: " + what);
            await Task.Delay(25);
        }
    }
}

/// <summary>A tiny real HTTP server on a loopback port, answering with a test's handler; records every request.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Method, string Path, string Body, IReadOnlyDictionary<string, string> Headers)> Requests { get; } = new();

    public Uri Url => new(_app.Urls.First().TrimEnd('/') + "/");

    public static async Task<LoopbackServer> StartAsync(Func<HttpContext, int, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackServer(app);
        var count = 0;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            server.Requests.Enqueue((context.Request.Method, context.Request.Path.Value ?? "", body, headers));
            await handle(context, Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        return server;
    }

    public static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
