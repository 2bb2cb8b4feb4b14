using System.Globalization;
using KakaoFlow.Cli;
using KakaoFlow.Cli.Language;

// Threads that do not inherit the command's culture (timers, the server's) speak its language too.
CultureInfo.DefaultThreadCurrentUICulture = CliLanguage.Resolve(args, Environment.GetEnvironmentVariable).Culture;
return await CommandLine.RunAsync(args, Console.Out, Console.Error);
