using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using KakaoFlow.Scripting;
using static KakaoFlow.Tests.Scripting.ScriptKit;

namespace KakaoFlow.Tests.Scripting;

/// <summary>Each hostile hook is contained, reported with a kind and a flow location, and returns.</summary>
public sealed class SandboxTests
{
    [Fact]
    public void A_huge_thrown_message_is_cut_to_about_1_KB()
    {
        var failure = Fails(ScriptKit.RunHook("throw new Error('오류'.repeat(50000))"), HookFailureKind.ScriptError);
        Assert.StartsWith("Error: 오류오류", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith("…", failure.Message, StringComparison.Ordinal);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(failure.Message), 1000, Excerpt.MessageBytes);
    }

    [Fact]
    public void Endless_loop_hits_the_statement_limit()
    {
        var outcome = Returns(() => RunHook("vars.주문 = '피자';\nwhile (true) {}"));

        var failure = Fails(outcome, HookFailureKind.Limit);
        Assert.Equal(FlowFile, failure.Location.File);
        Assert.Equal(11, failure.Location.Line);
        Assert.False(outcome.Vars.ContainsKey("주문"));
    }

    [Fact]
    public void Endless_loop_without_a_statement_limit_times_out()
    {
        var limits = new HookLimits { MaxStatements = int.MaxValue, MemoryBytes = long.MaxValue, Timeout = TimeSpan.FromMilliseconds(300) };

        var outcome = Returns(() => RunHook("let i = 0;\nwhile (true) { i++; }", limits: limits));

        var failure = Fails(outcome, HookFailureKind.Timeout);
        Assert.Equal(11, failure.Location.Line);
    }

    [Fact]
    public void Cancelled_turn_stops_the_hook()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var limits = new HookLimits { MaxStatements = int.MaxValue, MemoryBytes = long.MaxValue, Timeout = TimeSpan.FromSeconds(30) };

        var outcome = Returns(() => RunHook("while (true) {}", Context(cancellation: cts.Token), limits));

        Fails(outcome, HookFailureKind.Timeout);
    }

    [Fact]
    public void Run_deadline_survives_the_per_execute_resets()
    {
        // Jint resets its constraints on every Execute (shared scripts, then the hook); the run's deadline must not move.
        var deadline = new RunDeadline();
        deadline.Start(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        Thread.Sleep(120);
        deadline.Reset();

        Assert.Throws<TimeoutException>(deadline.Check);
    }

    [Fact]
    public void Unbounded_recursion_hits_the_recursion_limit()
    {
        var outcome = Returns(() => RunHook("function 반복(n) {\n  return 반복(n + 1) + 1;\n}\n반복(0);"));

        var failure = Fails(outcome, HookFailureKind.Limit);
        Assert.Equal(11, failure.Location.Line);
        Assert.Contains("64", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recursion_through_getters_does_not_overflow_the_stack()
    {
        // Getters are not call expressions, so the recursion limit does not count them; the stack guard does.
        var outcome = Returns(() => RunHook("const o = { get x() { return this.x; } };\no.x;"));

        Assert.NotNull(outcome.Failure);
    }

    [Theory]
    [InlineData("String(a)")]
    [InlineData("JSON.stringify(a)")]
    [InlineData("a.flat(Infinity)")]
    [InlineData("structuredCloneLike(a)")]
    public void Deep_nesting_in_built_ins_does_not_overflow_the_stack(string use)
    {
        var limits = new HookLimits { MaxStatements = 1_000_000, Timeout = TimeSpan.FromSeconds(5) };
        var code = "const structuredCloneLike = x => JSON.parse(JSON.stringify(x));\nlet a = [];\nfor (let i = 0; i < 50000; i++) { a = [a]; }\nvars.s = " + use + ";";

        var outcome = Returns(() => RunHook(code, limits: limits));

        // Stopped by the stack guard or the nesting cap (Limit), or on a loaded machine by the deadline first.
        Assert.NotNull(outcome.Failure);
        Assert.Contains(outcome.Failure.Kind, new[] { HookFailureKind.Limit, HookFailureKind.Timeout });
    }

    [Fact]
    public void Memory_limit_covers_shared_scripts_and_hook_together()
    {
        // Each part allocates about 10 MB, under the 16 MB limit alone; Jint's own limit restarts per Execute.
        const string Menu = "const 메뉴 = [];\nfor (let i = 0; i < 5; i++) { 메뉴.push('가'.repeat(1000000) + i); }";
        const string Order = "const 주문 = [];\nfor (let i = 0; i < 5; i++) { 주문.push('나'.repeat(1000000) + i); }";
        var alone = new ScriptKit();
        alone.Shared(Menu);
        var aloneHook = alone.Hook("vars.ok = 메뉴.length;");
        var together = new ScriptKit();
        together.Shared(Menu);
        var hook = together.Hook(Order);

        Assert.Null(alone.Build().Run(aloneHook, Context()).Failure);
        Assert.Null(ScriptKit.RunHook(Order).Failure);
        Fails(Returns(() => together.Build().Run(hook, Context())), HookFailureKind.Limit);
    }

    [Fact]
    public void Huge_array_is_refused()
    {
        var outcome = Returns(() => RunHook("new Array(1e9).fill(0);"));

        Fails(outcome, HookFailureKind.Limit);
    }

    [Fact]
    public void String_doubled_in_a_loop_hits_the_memory_limit()
    {
        var outcome = Returns(() => RunHook("let s = '가';\nwhile (true) { s += s; }"));

        var failure = Fails(outcome, HookFailureKind.Limit);
        Assert.Equal(11, failure.Location.Line);
    }

    [Fact]
    public void String_repeat_cannot_allocate_past_the_cap_in_one_call()
    {
        var outcome = Returns(() => RunHook("vars.n = 'x'.repeat(3e8).length;"));

        var failure = Fails(outcome, HookFailureKind.ScriptError);
        Assert.StartsWith("RangeError", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catastrophic_regex_literal_times_out()
    {
        var outcome = Returns(() => RunHook("const 입력 = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!';\nvars.ok = /(a+)+$/.test(입력);"));

        var failure = Fails(outcome, HookFailureKind.Timeout);
        Assert.Equal(11, failure.Location.Line);
    }

    [Fact]
    public void Catastrophic_regex_built_at_run_time_times_out()
    {
        var outcome = Returns(() => RunHook("vars.ok = new RegExp('(a+)+$').test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!');"));

        Fails(outcome, HookFailureKind.Timeout);
    }

    [Fact]
    public void Constructor_probing_cannot_compile_code()
    {
        var outcome = Returns(() => RunHook("const g = this.constructor.constructor('return this')();\nvars.g = typeof g;"));

        var failure = Fails(outcome, HookFailureKind.ScriptError);
        Assert.Equal(10, failure.Location.Line);
        Assert.False(outcome.Vars.ContainsKey("g"));
    }

    [Fact]
    public void Function_constructor_is_refused()
    {
        var outcome = Returns(() => RunHook("Function('return 1')();"));

        Fails(outcome, HookFailureKind.ScriptError);
    }

    [Fact]
    public void Eval_is_refused()
    {
        var outcome = Returns(() => RunHook("eval('vars.x = 1');"));

        Fails(outcome, HookFailureKind.ScriptError);
        Assert.False(outcome.Vars.ContainsKey("x"));
    }

    [Fact]
    public void No_clr_host_or_blocking_globals()
    {
        var outcome = RunHook(
            "vars.seen = ['importNamespace', 'System', 'require', 'process', 'fetch', 'setTimeout', 'Atomics', 'SharedArrayBuffer', 'ArrayBuffer', 'Uint8Array', 'ShadowRealm']\n" +
            "  .filter(n => typeof globalThis[n] !== 'undefined');");

        Assert.Null(outcome.Failure);
        Assert.Equal("[]", outcome.Vars["seen"].GetRawText());
    }

    [Fact]
    public void Strict_mode_is_on()
    {
        var outcome = RunHook("선언안됨 = 1;");

        var failure = Fails(outcome, HookFailureKind.ScriptError);
        Assert.StartsWith("ReferenceError", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prototype_pollution_is_refused_and_does_not_leak_into_the_next_run()
    {
        var kit = new ScriptKit();
        var polluter = kit.Hook("Object.prototype.관리자 = true;\nArray.prototype.push = function () { return 0; };\nvars.polluted = ({}).관리자 === true;");
        var victim = kit.Hook("const a = []; a.push(1);\nvars.clean = ({}).관리자 === undefined && a.length === 1;");
        var program = kit.Build();

        var first = program.Run(polluter, Context());
        var second = program.Run(victim, Context());

        // Built-ins are frozen: the first assignment throws where it is.
        var failure = Fails(first, HookFailureKind.ScriptError);
        Assert.StartsWith("TypeError", failure.Message, StringComparison.Ordinal);
        Assert.Equal(10, failure.Location.Line);
        Assert.True(second.Vars["clean"].GetBoolean());
    }

    [Fact]
    public void Globals_do_not_leak_between_users_running_in_parallel()
    {
        var kit = new ScriptKit();
        var hook = kit.Hook("globalThis.마지막 ??= input.content;\nvars.seen = globalThis.마지막;");
        var program = kit.Build();

        var outcomes = Enumerable.Range(0, 200).AsParallel().WithDegreeOfParallelism(4)
            .Select(i => (i, program.Run(hook, Context(input: Turn.Text($"사용자{i}"))))).ToList();

        Assert.All(outcomes, o => Assert.Equal($"사용자{o.i}", o.Item2.Vars["seen"].GetString()));
    }

    [Fact]
    public void Host_api_globals_cannot_be_replaced()
    {
        var outcome = RunHook("vars = { 해킹: 1 };");

        Fails(outcome, HookFailureKind.ScriptError);
    }
}
