using System.Globalization;
using System.Runtime.InteropServices;
using KakaoFlow.Compiling;
using KakaoFlow.Runtime;

namespace KakaoFlow.Benchmarks;

/// <summary>
/// The extra cost of a hook step over the same step without one, in CPU time of the measuring thread: on a machine
/// shared with other work, wall-clock figures (BenchmarkDotNet's) move with the load, the thread's own CPU time much
/// less. After a warm-up, plain and hook rounds alternate, so both see the same conditions; prints each round and the
/// spread.
/// <c>dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- hookcost [ROUNDS]</c>
/// </summary>
internal static class HookCost
{
    private const int StepsPerRound = 20_000;

    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var flow = BenchFlows.Compile("bench", BenchFlows.Small);
        var runtime = new FlowRuntime();
        var home = new Session { LastMessageAt = now.AddMinutes(-1), FlowVersion = flow.Version };
        var (plain, hook) = (Turn.Text("보통"), Turn.Text("훅"));
        for (var i = 0; i < 5; i++)
        {
            // Until the JIT has tiered up both paths: the first rounds measure the compiler, not the step.
            Measure(runtime, flow, home, plain, now);
            Measure(runtime, flow, home, hook, now);
        }

        var differences = new List<double>();
        Console.WriteLine($"CPU time per step ({(OperatingSystem.IsLinux() ? "thread CPU time" : "wall clock: thread CPU time needs Linux")}), {StepsPerRound} steps a round");
        for (var round = 0; round < rounds; round++)
        {
            var (plainUs, plainBytes) = Measure(runtime, flow, home, plain, now);
            var (hookUs, hookBytes) = Measure(runtime, flow, home, hook, now);
            differences.Add(hookUs - plainUs);
            Console.WriteLine(FormattableString.Invariant($"round {round + 1}: plain {plainUs:F2} us {plainBytes} B, hook {hookUs:F2} us {hookBytes} B, hook - plain {hookUs - plainUs:F2} us"));
        }

        differences.Sort();
        Console.WriteLine(FormattableString.Invariant($"hook - plain: min {differences[0]:F2}, median {differences[differences.Count / 2]:F2}, max {differences[^1]:F2} us"));
        return 0;
    }

    private static (double Microseconds, long Bytes) Measure(FlowRuntime runtime, CompiledFlow flow, Session session, Turn turn, DateTimeOffset now)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var start = CpuMicroseconds();
        for (var i = 0; i < StepsPerRound; i++)
        {
            runtime.Step(flow, session, turn, now);
        }

        return ((CpuMicroseconds() - start) / StepsPerRound, (GC.GetAllocatedBytesForCurrentThread() - allocated) / StepsPerRound);
    }

    private static double CpuMicroseconds()
    {
        const int ThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID
        return OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuTime, out var time) == 0
            ? (time.Seconds * 1e6) + (time.Nanoseconds / 1e3)
            : System.Diagnostics.Stopwatch.GetTimestamp() * 1e6 / System.Diagnostics.Stopwatch.Frequency;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
