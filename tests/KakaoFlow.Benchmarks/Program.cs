using BenchmarkDotNet.Running;
using KakaoFlow.Benchmarks;

// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- --filter '*'            (all micro-benchmarks)
// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- --filter '*' --job short (quick run)
// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- sessions URL [USERS]    (see bench/sessions.sh)
if (args.Length > 0 && args[0] == "sessions")
{
    return await SessionsLoad.RunAsync(args[1..]).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(StepBenchmarks).Assembly).Run(args);
return 0;
