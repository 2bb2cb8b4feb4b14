using BenchmarkDotNet.Attributes;
using KakaoFlow.Compiling;
using KakaoFlow.Runtime;

namespace KakaoFlow.Benchmarks;

/// <summary>Loading + compiling a generated 1,000-step flow (YAML text in memory → <see cref="CompiledFlow"/>).</summary>
[MemoryDiagnoser]
public class CompileBenchmarks
{
    private string _yaml = "";

    [GlobalSetup]
    public void Setup()
    {
        _yaml = BenchFlows.Large(1000);
        _ = BenchFlows.Compile("large", _yaml);
    }

    [Benchmark]
    public CompiledFlow Compile1000Steps() => BenchFlows.Compile("large", _yaml);
}

/// <summary>
/// One <see cref="FlowRuntime.Step"/> per kind of step. <c>PlainStep</c> is the baseline of <c>HookStep</c>: the same
/// step (set, template, buttons) without and with a <c>js:</c> hook, so the ratio column is the hook's cost.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly FlowRuntime _runtime = new();
    private CompiledFlow _flow = null!;
    private Session _home = null!;
    private Session _atInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _flow = BenchFlows.Compile("bench", BenchFlows.Small);
        _home = new Session { LastMessageAt = Now.AddMinutes(-1), FlowVersion = _flow.Version };
        _atInput = _home with { StepId = "address" };
    }

    [Benchmark(Baseline = true)]
    public StepResult PlainStep() => _runtime.Step(_flow, _home, Turn.Text("보통"), Now);

    [Benchmark]
    public StepResult HookStep() => _runtime.Step(_flow, _home, Turn.Text("훅"), Now);

    [Benchmark]
    public StepResult Leaf() => _runtime.Step(_flow, _home, Turn.Text("영업 시간"), Now);

    [Benchmark]
    public StepResult Branch() => _runtime.Step(_flow, _home, Turn.Text("메뉴"), Now);

    [Benchmark]
    public StepResult InputWithCheck() => _runtime.Step(_flow, _atInput, Turn.Text("서울시 마포구 월드컵로 12"), Now);
}
