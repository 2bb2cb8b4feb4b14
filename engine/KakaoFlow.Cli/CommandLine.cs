namespace KakaoFlow.Cli;

/// <summary>The <c>kakaoflow</c> commands. Exit codes: 0 ok, 1 failure (errors found, tests differ), 2 usage.</summary>
public static class CommandLine
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        switch (args.FirstOrDefault())
        {
            case "serve":
                // The script compiler: null until KakaoFlow.Scripting.JintScriptCompiler lands; then `new JintScriptCompiler()`.
                return KakaoFlow.Hosting.ServeCommand.RunAsync(args[1..], stdout, stderr, scripts: null);
        }

        stderr.WriteLine("usage: kakaoflow <check|serve> ...");
        return Task.FromResult(2);
    }
}
