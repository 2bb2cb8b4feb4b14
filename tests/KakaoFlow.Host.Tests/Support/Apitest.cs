namespace KakaoFlow.Host.Tests.Support;

/// <summary><c>kakaoflow apitest</c> run in process against a bot, with the verdict checked.</summary>
internal static class Apitest
{
    /// <summary>Runs apitest against the pizza bot of <paramref name="host"/>; every check must pass. Returns what it printed.</summary>
    public static async Task<string> PassingAsync(TestHost host, params string[] options)
    {
        var (exit, output, error) = await Kakaoflow.RunAsync(["apitest", new Uri(host.Http.BaseAddress!, "pizza").ToString(), .. options]);
        Assert.True(exit == 0, output + error);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
        Assert.EndsWith("API TEST passed" + Environment.NewLine, output, StringComparison.Ordinal);
        return output;
    }

    /// <summary>Runs apitest against the bot <c>/bot</c> of <paramref name="server"/>, which must fail it. Returns what it printed.</summary>
    public static async Task<string> FailingAsync(Uri server, params string[] options)
    {
        var (exit, output, error) = await Kakaoflow.RunAsync(["apitest", new Uri(server, "bot").ToString(), .. options]);
        Assert.True(exit == 1, output + error);
        return output;
    }
}
