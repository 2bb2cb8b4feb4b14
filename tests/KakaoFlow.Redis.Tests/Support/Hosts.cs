using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Store.Redis;

namespace KakaoFlow.Redis.Tests.Support;

/// <summary>Several in-process hosts (<see cref="TestHost"/>, each on its own port and flows folder) sharing one Redis store.</summary>
internal static class Hosts
{
    /// <summary>Starts two hosts on <paramref name="redis"/> (default: the test server under a fresh prefix), with the lifecycle tests' admin tokens.</summary>
    public static async Task<(TestHost A, TestHost B)> StartTwoAsync(
        IReadOnlyDictionary<string, string> flows,
        Func<TestHostOptions, TestHostOptions>? configure = null,
        RedisStoreOptions? redis = null)
    {
        var shared = redis ?? TestRedis.Options();
        var a = await TestHost.StartAsync(flows, Lifecycle.WithTokens(options => (configure?.Invoke(options) ?? options) with { Redis = shared }));
        try
        {
            return (a, await TestHost.StartAsync(flows, Lifecycle.WithTokens(options => (configure?.Invoke(options) ?? options) with { Redis = shared })));
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    /// <summary>The text of a <c>/message</c> reply.</summary>
    public static string TextOf(string reply)
    {
        using var document = JsonDocument.Parse(reply);
        return document.RootElement.GetProperty("message").GetProperty("text").GetString()!;
    }

    public static async Task<string> SayAsync(this TestHost host, string botId, string userKey, string content) =>
        TextOf(await host.MessageTextAsync(botId, userKey, content));
}
