using KakaoFlow.Cli;

namespace KakaoFlow.Tests.Support;

/// <summary>Runs the <c>kakaoflow</c> command line in process, capturing what it prints (stderr with <c>\n</c> line ends).</summary>
internal static class Kakaoflow
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString().ReplaceLineEndings("\n"));
    }
}
