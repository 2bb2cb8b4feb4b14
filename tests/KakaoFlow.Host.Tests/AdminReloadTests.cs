using System.Text;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>A save with errors is visible to the owner in the admin status, and fixing it clears it.</summary>
public sealed class AdminReloadTests
{
    private const string Good = Flows.Header + """
        home:
          - 안녕: 반가워요
        """;

    private const string Bad = Flows.Header + """
        home:
          - 안녕: { goto: nowhere }
        """;

    [Fact]
    public async Task Admin_status_shows_a_failed_reload_and_its_diagnostics_until_it_is_fixed()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["hello"] = Good }, Lifecycle.WithTokens());
        var file = Path.Combine(host.FlowsDirectory, "hello", "flow.yaml");
        var (_, before) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots/hello", Lifecycle.OwnerToken);
        var version = before.GetProperty("version").GetString();

        await File.WriteAllTextAsync(file, Bad, Encoding.UTF8);
        var failed = await Until(host, body => body.GetProperty("diagnostics").GetArrayLength() > 0);

        Assert.Equal($"last reload failed (1 error), serving version {version}", failed.GetProperty("flow_status").GetString());
        var line = Assert.Single(failed.GetProperty("diagnostics").EnumerateArray()).GetString()!;
        Assert.Equal($"{file}:5:17: error KF010: goto target 'nowhere' is not a step (there are no named steps; add one under 'steps:')", line);
        Assert.Equal("running", failed.GetProperty("state").GetString());

        await File.WriteAllTextAsync(file, Good.Replace("반가워요", "또 반가워요", StringComparison.Ordinal), Encoding.UTF8);
        var fixedUp = await Until(host, body => body.GetProperty("diagnostics").GetArrayLength() == 0);

        Assert.NotEqual(version, fixedUp.GetProperty("version").GetString());
        Assert.StartsWith("serving version ", fixedUp.GetProperty("flow_status").GetString(), StringComparison.Ordinal);
    }

    private static async Task<System.Text.Json.JsonElement> Until(TestHost host, Func<System.Text.Json.JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var (status, body) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots/hello", Lifecycle.OwnerToken);
            Assert.Equal(200, status);
            if (done(body) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(body), body.ToString());
                return body;
            }

            await Task.Delay(50);
        }
    }
}
