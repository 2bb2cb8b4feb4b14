using System.Collections.Concurrent;
using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using KakaoFlow.Scripting;
using static KakaoFlow.Tests.Scripting.ScriptKit;

namespace KakaoFlow.Tests.Scripting;

/// <summary>
/// Every limit holds on the second, third, … run of a program, also right after a run that hit a limit, and the
/// budgets (time, memory, statements, call depth) belong to one run, not to whatever ran before on the same thread.
/// </summary>
public sealed class EngineReuseLimitTests
{
    private const string Normal = "let s = 0;\nfor (let i = 0; i < 100; i++) { s += i; }\nvars.s = s + 'x'.repeat(10).length + [1, 2].join('').length + JSON.stringify({ a: 1 }).length;";
    private static readonly HookLimits NoStatementLimit = new() { MaxStatements = int.MaxValue, MemoryBytes = long.MaxValue, Timeout = TimeSpan.FromMilliseconds(300) };

    public static TheoryData<string, string, HookFailureKind?> Breakers => new()
    {
        { "statements", "while (true) {}", HookFailureKind.Limit },
        { "recursion", "function f(n) { return f(n + 1) + 1; }\nf(0);", HookFailureKind.Limit },
        { "memory", "let s = '가';\nwhile (true) { s += s; }", HookFailureKind.Limit },
        { "array size", "new Array(1e9).fill(0);", HookFailureKind.Limit },
        { "string length guard", "'x'.repeat(3e8);", HookFailureKind.ScriptError },
        { "join guard", "const s = 'x'.repeat(10000);\nnew Array(60000).fill(s).join('');", HookFailureKind.ScriptError },
        { "regex timeout", "/(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!');", HookFailureKind.Timeout },
        { "stack guard", "const o = { get x() { return this.x; } };\no.x;", null },
        { "value size", "vars.big = '가'.repeat(300000);", HookFailureKind.Limit },
        { "time", "let i = 0;\nwhile (true) { i++; }", HookFailureKind.Timeout },
    };

    [Theory]
    [MemberData(nameof(Breakers))]
    public void Limit_fires_on_every_run_and_the_next_run_is_clean(string name, string code, HookFailureKind? kind)
    {
        var kit = new ScriptKit(name == "time" ? NoStatementLimit : null);
        var normal = kit.Hook(Normal);
        var breaker = kit.Hook(code);
        var program = kit.Build();

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 2; i++)
            {
                var ok = Returns(() => program.Run(normal, Context(input: Turn.Text("가"))));
                Assert.True(ok.Failure is null, $"{name}, round {round}: a normal run failed: {ok.Failure?.Message}");
                Assert.Equal("4969", ok.Vars["s"].GetRawText());
            }

            for (var i = 0; i < 2; i++)
            {
                var broken = Returns(() => program.Run(breaker, Context(input: Turn.Text("나"))));
                Assert.True(broken.Failure is not null, $"{name}, round {round}: the limit did not fire");
                Assert.True(kind is null || broken.Failure.Kind == kind, $"{name}, round {round}: expected {kind}, got {broken.Failure.Kind}: {broken.Failure.Message}");
                if (kind == HookFailureKind.ScriptError)
                {
                    Assert.StartsWith("RangeError", broken.Failure.Message, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void Memory_budget_belongs_to_one_run()
    {
        // About 8 MB a run against 16 MB: runs that shared a budget would fail by the third.
        AssertRunsCleanly(null, "const a = [];\nfor (let i = 0; i < 4; i++) { a.push('가'.repeat(1000000) + i); }\nvars.n = a.length;");
    }

    [Fact]
    public void Deadline_belongs_to_one_run()
    {
        // 5 × 120 ms between runs against 300 ms: runs that shared a deadline would time out by the third.
        AssertRunsCleanly(NoStatementLimit, "vars.ok = true;", pause: TimeSpan.FromMilliseconds(120));
    }

    [Fact]
    public void Statement_budget_belongs_to_one_run()
    {
        AssertRunsCleanly(new HookLimits { MaxStatements = 2000 }, "let s = 0;\nfor (let i = 0; i < 400; i++) { s += i; }\nvars.s = s;");
    }

    [Fact]
    public void Call_depth_starts_at_zero_every_run()
    {
        var kit = new ScriptKit();
        var deep = kit.Hook("function f(n) { return n === 0 ? 0 : f(n - 1) + 1; }\nvars.d = f(50);");
        var endless = kit.Hook("function g() { return g() + 1; }\ng();");
        var program = kit.Build();

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(program.Run(deep, Context()).Failure);
            Fails(program.Run(endless, Context()), HookFailureKind.Limit);
            var outcome = program.Run(deep, Context());
            Assert.Null(outcome.Failure);
            Assert.Equal("50", outcome.Vars["d"].GetRawText());
        }
    }

    [Fact]
    public void Caught_stack_overflow_leaves_a_clean_engine()
    {
        // Deep recursion inside a built-in is stopped by the stack guard with a RangeError a script can catch; the
        // run then ends cleanly and its engine is reused, so the next runs must start at depth zero with every limit.
        var kit = new ScriptKit(new HookLimits { MaxStatements = 1_000_000, Timeout = TimeSpan.FromSeconds(10) });
        var catcher = kit.Hook("let a = [];\nfor (let i = 0; i < 50000; i++) { a = [a]; }\ntry { a.flat(Infinity); } catch (e) { vars.caught = String(e); }");
        var deep = kit.Hook("function f(n) { return n === 0 ? 0 : f(n - 1) + 1; }\nvars.d = f(50);");
        var endless = kit.Hook("function g() { return g() + 1; }\ng();");
        var program = (JintScriptProgram)kit.Build();

        for (var i = 0; i < 3; i++)
        {
            var caught = Returns(() => program.Run(catcher, Context()));
            Assert.True(caught.Failure is null, caught.Failure?.Message);
            Assert.Equal("RangeError: Maximum call stack size exceeded", caught.Vars["caught"].GetString());
            var outcome = program.Run(deep, Context());
            Assert.True(outcome.Failure is null, outcome.Failure?.Message);
            Assert.Equal("50", outcome.Vars["d"].GetRawText());
            Fails(program.Run(endless, Context()), HookFailureKind.Limit);
        }

        // One engine per round: the catching run kept it, the endless one lost it.
        Assert.Equal(3, program.EnginesCreated);
    }

    [Fact]
    public void Cancellation_belongs_to_one_run()
    {
        var kit = new ScriptKit(NoStatementLimit with { Timeout = TimeSpan.FromSeconds(30) });
        var endless = kit.Hook("while (true) {}");
        var quick = kit.Hook("vars.ok = true;");
        var program = kit.Build();

        for (var i = 0; i < 2; i++)
        {
            using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
            Fails(Returns(() => program.Run(endless, Context(cancellation: cancelled.Token))), HookFailureKind.Timeout);
            using var live = new CancellationTokenSource();
            Assert.Null(program.Run(quick, Context(cancellation: live.Token)).Failure);
            Assert.Null(program.Run(quick, Context()).Failure);
        }
    }

    [Fact]
    public void Same_program_runs_on_many_threads_without_crosstalk()
    {
        var kit = new ScriptKit();
        var hook = kit.Hook(
            "const me = input.content;\n" +
            "const seen = [typeof globalThis.누구, ({}).누구 === undefined, vars.나 === me];\n" +
            "globalThis.누구 = me;\ntry { Object.prototype.누구 = me; } catch (e) {}\n" +
            "let s = '';\nfor (let i = 0; i < 20; i++) { s = [s, i].join(''); }\n" +
            "vars.r = [...seen, globalThis.누구 === me, s.length];");
        var breaker = kit.Hook("globalThis.누구 = 'breaker';\nwhile (true) {}");
        var program = kit.Build();
        const int Threads = 8;
        const int Runs = 60;
        var errors = new ConcurrentQueue<string>();
        using var start = new Barrier(Threads);

        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Runs; i++)
            {
                var me = $"사용자{t}-{i}";
                if (i % 10 == 9)
                {
                    var broken = program.Run(breaker, Context(input: Turn.Text(me)));
                    // The statement limit, or on a loaded machine the deadline first.
                    if (broken.Failure?.Kind is not (HookFailureKind.Limit or HookFailureKind.Timeout))
                    {
                        errors.Enqueue($"{me}: the breaker ended with {broken.Failure?.Kind}");
                    }

                    continue;
                }

                var outcome = program.Run(hook, Context(Vars(("나", Json($"\"{me}\""))), Turn.Text(me)));
                var r = outcome.Failure is null ? outcome.Vars["r"].GetRawText() : outcome.Failure.Message;
                if (r != """["undefined",true,true,true,30]""")
                {
                    errors.Enqueue($"{me}: {r}");
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(errors);
    }

    /// <summary>Five runs of <paramref name="code"/> in a row, each within the limits alone, must all succeed.</summary>
    private static void AssertRunsCleanly(HookLimits? limits, string code, TimeSpan pause = default)
    {
        var kit = new ScriptKit(limits);
        var hook = kit.Hook(code);
        var program = kit.Build();

        for (var i = 0; i < 5; i++)
        {
            Thread.Sleep(pause);
            var outcome = program.Run(hook, Context());
            Assert.True(outcome.Failure is null, $"run {i}: {outcome.Failure?.Message}");
        }
    }
}
