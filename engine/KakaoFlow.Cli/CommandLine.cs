namespace KakaoFlow.Cli;

/// <summary>The <c>kakaoflow</c> commands. Exit codes: 0 ok, 1 failure (errors found, tests differ), 2 usage.</summary>
public static class CommandLine
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        stderr.WriteLine("usage: kakaoflow <check|serve> ...");
        return Task.FromResult(2);
    }
}
