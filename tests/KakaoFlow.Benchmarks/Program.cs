using BenchmarkDotNet.Running;
using KakaoFlow.Benchmarks;

// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- --filter '*'            (all micro-benchmarks)
// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- --filter '*' --job short (quick run)
// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- sessions URL [USERS]    (see bench/sessions.sh)
// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- sessions-active URL USERS PID DATA_DIR ACTIVE
// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- sweep DATA_FILE BOT    (the retention sweep on a stopped host's file; deletes its sessions)
// dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- hookcost [ROUNDS]       (hook step - plain step, thread CPU time)
if (args.Length > 0 && args[0] == "sessions")
{
    return await SessionsLoad.RunAsync(args[1..]).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "sessions-active")
{
    return await SessionsLoad.RunActiveAsync(args[1..]).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "sweep")
{
    return SweepCost.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "hookcost")
{
    return HookCost.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(StepBenchmarks).Assembly).Run(args);
return 0;
