using KakaoFlow.Hosting;
using KakaoFlow.Host.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// The host gives the memory a rush left behind back to the OS once it is quiet, once per quiet spell, and never while
/// users are talking to it: turns over real HTTP, the host's clock moved by hand, the garbage collector replaced.
/// </summary>
public sealed class IdleMemoryTrimTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_quiet_host_compacts_once_after_a_busy_spell_and_not_while_users_talk()
    {
        var memory = new FakeMemory { HeldBeyondLive = 300L << 20 };
        await using var host = await StartAsync(memory);
        var trim = host.App.Services.GetRequiredService<IdleMemoryTrim>();

        await LookAsync(host, trim, times: 3); // no turn since the start: nothing to give back
        Assert.Equal(0, memory.Compactions);

        await host.MessageTextAsync("pizza", "민수", "메뉴 보기");
        await LookAsync(host, trim); // a turn since the last look: busy
        await host.MessageTextAsync("pizza", "지영", "메뉴 보기");
        await LookAsync(host, trim);
        Assert.Equal(0, memory.Compactions);

        await LookAsync(host, trim); // a whole period without a turn
        Assert.Equal(1, memory.Compactions);
        Assert.Contains(host.Logs.Lines, line => line.Contains("gave memory back to the OS", StringComparison.Ordinal));

        await LookAsync(host, trim, times: 3); // still quiet: once per quiet spell
        Assert.Equal(1, memory.Compactions);

        await host.MessageTextAsync("pizza", "민수", "영업 시간");
        await LookAsync(host, trim, times: 2);
        Assert.Equal(2, memory.Compactions);
    }

    [Fact]
    public async Task Nothing_is_compacted_when_the_heap_holds_little_beyond_its_live_objects()
    {
        var memory = new FakeMemory { HeldBeyondLive = IdleMemoryTrim.WorthTrimming - 1 };
        await using var host = await StartAsync(memory);
        var trim = host.App.Services.GetRequiredService<IdleMemoryTrim>();

        await host.MessageTextAsync("pizza", "민수", "메뉴 보기");
        await LookAsync(host, trim, times: 3);

        Assert.Equal(0, memory.Compactions);
    }

    [Fact]
    public async Task Serve_turns_it_on_its_configuration_can_change_it_and_a_library_host_has_it_off()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, new KakaoFlowOptions().IdleTrimAfter);
        await using (var serve = KakaoFlow.Cli.Serve.ServeApp.Build(new KakaoFlow.Cli.Serve.ServeSettings()))
        {
            Assert.Equal(TimeSpan.FromSeconds(30), serve.Services.GetRequiredService<IOptions<KakaoFlowOptions>>().Value.IdleTrimAfter);
        }

        // As KakaoFlow__IdleTrimAfter in the environment would.
        await using (var serve = KakaoFlow.Cli.Serve.ServeApp.Build(
            new KakaoFlow.Cli.Serve.ServeSettings(),
            builder => builder.Configuration.AddInMemoryCollection([new("KakaoFlow:IdleTrimAfter", "00:02:00")])))
        {
            Assert.Equal(TimeSpan.FromMinutes(2), serve.Services.GetRequiredService<IOptions<KakaoFlowOptions>>().Value.IdleTrimAfter);
        }

        Assert.True(new KakaoFlowOptionsValidator().Validate(null, new KakaoFlowOptions { IdleTrimAfter = TimeSpan.Zero }).Succeeded);
        var invalid = new KakaoFlowOptionsValidator().Validate(null, new KakaoFlowOptions { IdleTrimAfter = TimeSpan.FromMilliseconds(500) });
        Assert.True(invalid.Failed);
        Assert.Contains("IdleTrimAfter", invalid.FailureMessage, StringComparison.Ordinal);
    }

    private static Task<TestHost> StartAsync(FakeMemory memory) => TestHost.StartAsync(
        new Dictionary<string, string> { ["pizza"] = Flows.Pizza },
        options => options with { IdleTrimAfter = Period, Memory = memory });

    /// <summary>Moves the clock one period at a time, each time waiting until the host has looked.</summary>
    private static async Task LookAsync(TestHost host, IdleMemoryTrim trim, int times = 1)
    {
        await Lifecycle.EventuallyAsync(() => trim.Watching, "the host to start its timer", seconds: 10);
        for (var i = 0; i < times; i++)
        {
            var looks = trim.Looks;
            host.Clock.Advance(Period);
            await Lifecycle.EventuallyAsync(() => trim.Looks != looks, "the host to look", seconds: 10);
        }
    }

    private sealed class FakeMemory : IManagedMemory
    {
        private int _compactions;

        public int Compactions => Volatile.Read(ref _compactions);

        public long Committed => 500L << 20;

        public long HeldBeyondLive { get; init; }

        public void Compact() => Interlocked.Increment(ref _compactions);
    }
}
