using System.Diagnostics;
using System.Globalization;
using System.Text;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Redis.Tests.Support;

namespace KakaoFlow.Redis.Tests;

/// <summary>
/// Two real <c>kakaoflow serve --store redis://…</c> processes behind what would be one address, under load from
/// several users whose messages alternate between them; one is killed with SIGKILL mid-load. The other keeps answering
/// (within the reply bound, even for a user whose turn the dead host held), and no acknowledged turn is lost.
/// </summary>
public sealed class KillTests : CounterBotRoot
{
    [Fact]
    public async Task A_host_killed_under_load_loses_no_acknowledged_turn_and_the_other_keeps_answering()
    {
        using var redis = RedisServerProcess.Start();
        using var a = await ServeHost.StartAsync(Root, "counter", ["--store", $"redis://{redis.EndPoint}/0"]);
        using var b = await ServeHost.StartAsync(Root, "counter", ["--store", $"redis://{redis.EndPoint}/0"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each user sends one message at a time, to A and B in turn (B only, once A is gone), for 3 s.
        var acknowledged = await Task.WhenAll(Enumerable.Range(0, 8).Select(user => Task.Run(async () =>
        {
            var counts = new List<int>();
            var until = Stopwatch.StartNew();
            for (var i = user; until.Elapsed < TimeSpan.FromSeconds(3); i++)
            {
                var host = i % 2 == 0 && !killed.Task.IsCompleted ? a : b;
                var watch = Stopwatch.StartNew();
                var reply = await host.TrySayAsync(http, "counter", $"user-{user}", "하나 더");
                if (reply is null)
                {
                    Assert.Same(a, host); // only the killed host may fail to answer
                    continue;
                }

                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"answered after {watch.ElapsedMilliseconds} ms");
                counts.Add(int.Parse(reply, CultureInfo.InvariantCulture)); // a count, never messages.error
            }

            return counts;
        })).Append(Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            a.Kill();
            killed.SetResult();
            return new List<int>();
        })));

        for (var user = 0; user < 8; user++)
        {
            var counts = acknowledged[user];
            Assert.True(counts.Count > 5, $"user-{user} was answered {counts.Count} times");

            // Every acknowledged turn is in the count the next turn sees: no acknowledged turn lost, none applied twice.
            Assert.Equal(counts.Order(), counts);
            Assert.Equal(counts.Count, counts.Distinct().Count());
            var next = int.Parse((await b.TrySayAsync(http, "counter", $"user-{user}", "하나 더"))!, CultureInfo.InvariantCulture);
            Assert.True(next > counts[^1], $"user-{user}: last acknowledged {counts[^1]}, next {next}");
        }
    }
}
