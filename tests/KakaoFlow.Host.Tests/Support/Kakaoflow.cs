using KakaoFlow.Cli;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>Runs the <c>kakaoflow</c> command line in process, capturing what it prints.</summary>
internal static class Kakaoflow
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(args, TextReader.Null, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
