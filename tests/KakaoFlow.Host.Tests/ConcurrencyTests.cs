using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Host.Tests;

/// <summary>One user's messages are handled one at a time in arrival order; different users in parallel.</summary>
public sealed class ConcurrencyTests
{
    private static TestHostOptions Patient(TestHostOptions options) =>
        options with { ReplyTimeout = TimeSpan.FromSeconds(30) }; // a slow CI machine must not turn waits into errors

    /// <summary>The real runtime, a little slower, so that turns that are not serialised really overlap.</summary>
    private static TestHostOptions PatientAndSlow(TestHostOptions options) =>
        Patient(options) with { Stepper = Steppers.RealStepAfter((_, _) => Thread.Sleep(5)) };

    [Fact]
    public async Task Forty_racing_messages_from_one_user_each_advance_the_chain_once()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["chain"] = Flows.Chain(40) }, PatientAndSlow);

        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => host.MessageTextAsync("chain", "racer", "다음")));

        // Without per-user serialisation two turns read the same session and one step is lost (a repeated reply).
        var texts = replies.Select(body => JsonDocument.Parse(body).RootElement.GetProperty("message").GetProperty("text").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"{i}번째").Order(StringComparer.Ordinal), texts);
        Assert.Equal("s40", host.SessionOf("chain", "racer")?.StepId);
        Assert.Equal(0, host.App.Services.GetRequiredService<ConversationService>().Locks.ActiveKeys);
    }

    [Fact]
    public async Task Racing_users_each_keep_their_own_chain()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["chain"] = Flows.Chain(40) }, PatientAndSlow);

        var sends = from user in Enumerable.Range(1, 5)
                    from _ in Enumerable.Range(0, 8)
                    select host.MessageTextAsync("chain", $"user-{user}", "다음");
        await Task.WhenAll(sends);

        for (var user = 1; user <= 5; user++)
        {
            Assert.Equal("s8", host.SessionOf("chain", $"user-{user}")?.StepId);
        }
    }

    [Fact]
    public async Task Different_users_are_answered_in_parallel()
    {
        // Each turn waits inside the step until the other user's turn is inside its step too: this only
        // finishes in time when the two users are not serialised against each other.
        using var barrier = new Barrier(2);
        var met = 0;
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["chain"] = Flows.Chain(3) },
            options => Patient(options) with
            {
                Stepper = Steppers.RealStepAfter((_, cancellation) =>
                {
                    if (barrier.SignalAndWait(TimeSpan.FromSeconds(10), cancellation))
                    {
                        Interlocked.Increment(ref met);
                    }
                }),
            });

        await Task.WhenAll(host.MessageTextAsync("chain", "left", "다음"), host.MessageTextAsync("chain", "right", "다음"));

        Assert.Equal(2, met);
    }

    [Fact]
    public async Task Forty_racing_messages_from_one_user_leave_the_counter_at_forty()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["counter"] = Flows.Counter }, Patient);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => host.MessageTextAsync("counter", "racer", "하나 더")));

        Assert.Equal(40, host.SessionOf("counter", "racer")?.Vars["count"].GetDouble());
    }
}
