using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting.Lifecycle;

namespace KakaoFlow.Host.Tests;

/// <summary>The outbox: written with the state change, delivered to a webhook with retries, never lost, never sent twice.</summary>
public sealed class NotificationDeliveryTests
{
    [Fact]
    public async Task A_notification_survives_a_restart_and_a_failing_webhook_and_is_delivered_once()
    {
        // The webhook fails twice (500), then accepts.
        await using var webhook = await LoopbackServer.StartAsync((context, n) =>
            LoopbackServer.WriteAsync(context, n <= 2 ? 500 : 200, "application/json", n <= 2 ? """{"error":"busy"}""" : """{"ok":true}"""));
        var slow = TimeSpan.FromMinutes(10);
        var retry = TimeSpan.FromMilliseconds(100);

        // First run: the first attempt fails and the next is far away; the host stops with the message undelivered.
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["pizza"] = Flows.Pizza },
            Lifecycle.WithTokens(options => options with { NotifyUrl = webhook.Url, NotifyRetryDelay = slow, NotifyMaxRetryDelay = slow }));
        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/block", Lifecycle.OperatorToken, """{"reason":"스팸 발송"}""")).Status);
        await Lifecycle.EventuallyAsync(() => webhook.Requests.Count == 1, "first attempt");
        await Task.Delay(200);
        Assert.Single(webhook.Requests);
        var pending = Assert.Single(host.Store.Services.Undelivered(10));
        Assert.Equal(1, pending.Attempts);
        Assert.Equal("HTTP 500", pending.LastError);

        // Second run, with quick retries: the stored message goes out again (a second failure), then is delivered.
        var dataFile = host.DataFile;
        await host.RestartAsync(options => options with { NotifyUrl = webhook.Url, NotifyRetryDelay = retry, NotifyMaxRetryDelay = retry });
        await Lifecycle.EventuallyAsync(() => host.Store.Services.Undelivered(10).Count == 0, "delivery after the restart");
        await Task.Delay(500);

        var requests = webhook.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.All(requests, request => Assert.Equal("POST", request.Method));
        var bodies = requests.Select(request => JsonDocument.Parse(request.Body).RootElement).ToList();
        var key = bodies[0].GetProperty("id").GetString();
        Assert.All(bodies, body => Assert.Equal(key, body.GetProperty("id").GetString()));
        Assert.All(requests, request => Assert.Equal(key, request.Headers["Idempotency-Key"].ToString()));
        Assert.Equal("010-1234-5678", bodies[2].GetProperty("phone").GetString());
        Assert.Equal("pizza", bodies[2].GetProperty("bot").GetString());
        Assert.Equal(NotificationTexts.Blocked, bodies[2].GetProperty("kind").GetString());
        Assert.Contains("스팸 발송", bodies[2].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("차단", bodies[2].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-11-25T03:00:00.000Z", bodies[2].GetProperty("at").GetString());
        Assert.Equal(
            ["at", "bot", "id", "kind", "phone", "text"],
            bodies[2].EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal));

        var delivered = Assert.Single(host.Store.Services.Notifications("pizza", 10));
        Assert.True(delivered.Delivered);
        Assert.Equal(3, delivered.Attempts);
        Assert.Equal(dataFile, host.DataFile);

        // A third run sends nothing again.
        await host.RestartAsync(options => options with { NotifyUrl = webhook.Url, NotifyRetryDelay = retry, NotifyMaxRetryDelay = retry });
        await Task.Delay(500);
        Assert.Equal(3, webhook.Requests.Count);
    }

    [Fact]
    public async Task An_unreachable_webhook_keeps_the_message_pending_and_it_shows_in_the_admin_api()
    {
        await using var webhook = await LoopbackServer.StartAsync((context, _) => LoopbackServer.WriteAsync(context, 200, "application/json", "{}"));
        var url = webhook.Url;
        await webhook.DisposeAsync();

        var retry = TimeSpan.FromMilliseconds(50);
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["pizza"] = Flows.Pizza },
            Lifecycle.WithTokens(options => options with { NotifyUrl = url, NotifyRetryDelay = retry, NotifyMaxRetryDelay = TimeSpan.FromMilliseconds(200) }));
        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/block", Lifecycle.OperatorToken, """{"reason":"r"}""")).Status);
        await Lifecycle.EventuallyAsync(() => host.Store.Services.Undelivered(10) is [{ Attempts: >= 3 }], "three failed attempts");

        var (_, body) = await host.AdminAsync(HttpMethod.Get, "/_admin/notifications", Lifecycle.OwnerToken);
        var note = Assert.Single(body.GetProperty("notifications").EnumerateArray());
        Assert.False(note.GetProperty("delivered").GetBoolean());
        Assert.Equal(JsonValueKind.String, note.GetProperty("last_error").ValueKind);
        Assert.Contains(host.Logs.Lines, line => line.Contains("not delivered", StringComparison.Ordinal));
    }
}
