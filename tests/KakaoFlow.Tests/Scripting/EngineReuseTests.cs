using System.Reflection;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using KakaoFlow.Scripting;
using static KakaoFlow.Tests.Scripting.ScriptKit;

namespace KakaoFlow.Tests.Scripting;

/// <summary>
/// How engines are reused (the isolation itself is proved by <see cref="EngineReuseIsolationTests"/> and
/// <see cref="EngineReuseLimitTests"/>): a program reuses its engines, drops one after a failed run, after
/// <see cref="SandboxEngine.MaxRuns"/> runs and after its runs allocated <see cref="SandboxEngine.MaxAllocatedBytes"/>;
/// every built-in is frozen, and ordinary code can still give its own objects a <c>toString</c> or a <c>name</c>.
/// </summary>
public sealed class EngineReuseTests
{
    [Fact]
    public void Runs_of_a_program_reuse_one_engine()
    {
        var (program, hook, check) = Build("vars.n = (vars.n ?? 0) + 1;", "value.length > 2");

        for (var i = 0; i < 20; i++)
        {
            Assert.Null(program.Run(hook, Context()).Failure);
            Assert.Null(program.Run(check, Context() with { Value = "서울시" }).Failure);
        }

        Assert.Equal(1, program.EnginesCreated);
    }

    [Theory]
    [InlineData("throw new Error('끝');")]
    [InlineData("while (true) {}")]
    [InlineData("function f() { return f() + 1; }\nf();")]
    [InlineData("vars.big = '가'.repeat(300000);")]
    public void Engine_of_a_failed_run_is_dropped(string failing)
    {
        var (program, hook, bad) = Build("vars.n = 1;", failing);

        Assert.Null(program.Run(hook, Context()).Failure);
        Assert.NotNull(program.Run(bad, Context()).Failure);
        Assert.Null(program.Run(hook, Context()).Failure);
        Assert.Null(program.Run(hook, Context()).Failure);

        Assert.Equal(2, program.EnginesCreated);
    }

    [Fact]
    public void Engine_is_replaced_after_its_last_run()
    {
        var (program, hook, _) = Build("vars.n = 1;");

        for (var i = 0; i < SandboxEngine.MaxRuns + 1; i++)
        {
            program.Run(hook, Context());
        }

        Assert.Equal(2, program.EnginesCreated);
    }

    [Fact]
    public void Engine_is_replaced_once_its_runs_allocated_the_budget()
    {
        // About 8 MB a run: what an engine could have kept is bounded by what its runs allocated.
        var (program, hook, _) = Build("const a = [];\nfor (let i = 0; i < 4; i++) { a.push('가'.repeat(1000000) + i); }\nvars.n = a.length;");
        var runs = (int)(SandboxEngine.MaxAllocatedBytes / (8 * 1024 * 1024)) + 2;

        for (var i = 0; i < runs; i++)
        {
            Assert.Null(program.Run(hook, Context()).Failure);
        }

        Assert.Equal(2, program.EnginesCreated);
    }

    [Fact]
    public void Check_value_is_gone_before_the_next_hook()
    {
        // A hook may declare `value` (it is a global in checks only); a reused engine must not still have it.
        var (program, hook, check) = Build("let value = 1;\nvars.v = value;", "value === '서울시'");

        Assert.True(program.Run(check, Context() with { Value = "서울시" }).Truthy);
        var outcome = program.Run(hook, Context());

        Assert.Null(outcome.Failure);
        Assert.Equal("1", outcome.Vars["v"].GetRawText());
        Assert.Equal(1, program.EnginesCreated);
    }

    [Fact]
    public void Every_built_in_is_frozen()
    {
        // Walks more roots than Lockdown does: a hidden intrinsic it missed would show up here.
        var limits = new HookLimits { MaxStatements = 10_000_000, Timeout = TimeSpan.FromSeconds(30), MemoryBytes = 1L << 30 };
        var outcome = RunHook(
            """
            const host = new Set(['vars', 'input', 'reply', 'say', 'photo', 'link', 'buttons', 'goto', 'data', 'now', 'log', 'josa', 'pay']);
            const { ownKeys, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
            const proto = getPrototypeOf;
            const roots = [
              ['GeneratorFunction', proto(function* () {})], ['AsyncFunction', proto(async function () {})],
              ['AsyncGeneratorFunction', proto(async function* () {})], ['Generator', proto(proto((function* () {})()))],
              ['AsyncGenerator', proto(proto((async function* () {})()))], ['ArrayIterator', proto([][Symbol.iterator]())],
              ['MapIterator', proto(new Map()[Symbol.iterator]())], ['SetIterator', proto(new Set()[Symbol.iterator]())],
              ['StringIterator', proto(''[Symbol.iterator]())], ['RegExpStringIterator', proto('a'.matchAll(/a/g))],
              ['IteratorHelper', proto([].values().map(x => x))], ['WrapForValidIterator', proto(Iterator.from({ next() { return { done: true }; } }))],
              ['Segments', proto(new Intl.Segmenter().segment(''))], ['SegmentIterator', proto(new Intl.Segmenter().segment('')[Symbol.iterator]())],
              ['ThrowTypeError', getOwnPropertyDescriptor((function () { return arguments; })(), 'callee').get],
            ];
            for (const k of ownKeys(globalThis)) {
              if (!host.has(k)) roots.push([String(k), getOwnPropertyDescriptor(globalThis, k).value]);
            }
            const paths = new Map([[globalThis, 'globalThis']]);
            const queue = [];
            const reach = (v, path) => { if (v !== null && (typeof v === 'object' || typeof v === 'function') && !paths.has(v)) { paths.set(v, path); queue.push(v); } };
            for (const [path, root] of roots) reach(root, path);
            const open = [];
            for (let i = 0; i < queue.length; i++) {
              const o = queue[i];
              const path = paths.get(o);
              reach(getPrototypeOf(o), path + '.__proto__');
              for (const k of ownKeys(o)) {
                const d = getOwnPropertyDescriptor(o, k);
                const p = path + '.' + String(k);
                reach(d.value, p); reach(d.get, p + '.get'); reach(d.set, p + '.set');
              }
              if (!Object.isFrozen(o)) open.push(path);
            }
            const seen = paths;
            vars.count = seen.size;
            vars.open = open;
            """,
            limits: limits);

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Vars["count"].GetInt32() > 500, outcome.Vars["count"].GetRawText());
        Assert.Equal("[]", outcome.Vars["open"].GetRawText());
    }

    [Fact]
    public void Every_intrinsic_jint_knows_is_frozen()
    {
        // Jint's own list of intrinsics (internal, read by reflection): whatever a new Jint adds, Lockdown must reach
        // it, or a test must say how a script cannot. Only the ones SandboxEngine deletes from the global object and
        // nothing links to are left open.
        using var sandbox = new SandboxEngine(SandboxLimits.From(HookLimits.Default));
        var unreachable = new HashSet<string>(StringComparer.Ordinal)
        {
            "Atomics", "SharedArrayBuffer", "ArrayBuffer", "DataView", "ShadowRealm", "WeakRef", "FinalizationRegistry",
            "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
            "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
        };
        var roots = typeof(Jint.Runtime.Intrinsics).GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && !unreachable.Contains(p.Name))
            .Select(p => (p.Name, Value: p.GetValue(sandbox.Engine.Intrinsics) as ObjectInstance))
            .Where(r => r.Value is not null)
            .ToList();
        var paths = new Dictionary<ObjectInstance, string>(ReferenceEqualityComparer.Instance) { [sandbox.Engine.Global] = "globalThis" };
        var queue = new Queue<ObjectInstance>();
        void Reach(JsValue? value, string path)
        {
            if (value is ObjectInstance obj && paths.TryAdd(obj, path))
            {
                queue.Enqueue(obj);
            }
        }

        roots.ForEach(r => Reach(r.Value, r.Name));
        var open = new List<string>();
        while (queue.TryDequeue(out var obj))
        {
            var path = paths[obj];
            Reach(obj.Prototype, path + ".__proto__");
            var frozen = !obj.Extensible;
            foreach (var key in obj.GetOwnPropertyKeys(Types.String | Types.Symbol))
            {
                var descriptor = obj.GetOwnProperty(key);
                frozen &= !descriptor.Configurable && (!descriptor.IsDataDescriptor() || !descriptor.Writable);
                Reach(descriptor.Get, $"{path}.{key}.get");
                Reach(descriptor.Set, $"{path}.{key}.set");
                Reach(descriptor.IsDataDescriptor() ? descriptor.Value : null, $"{path}.{key}");
            }

            if (!frozen)
            {
                open.Add(path);
            }
        }

        Assert.True(roots.Count > 50, $"only {roots.Count} intrinsics found: has Jint changed?");
        Assert.True(paths.Count > 500, $"only {paths.Count} objects reached");
        Assert.Empty(open);
    }

    [Fact]
    public void Engine_builds_under_the_smallest_limits()
    {
        // Building the engine runs a little script; the owner's limits (here the smallest allowed) must not stop it.
        var outcome = RunHook("vars.x = 1;", limits: new HookLimits { MaxStatements = 1, MaxRecursion = 1, MemoryBytes = 1024 * 1024 });

        Assert.Null(outcome.Failure);
        Assert.Equal("1", outcome.Vars["x"].GetRawText());
    }

    [Fact]
    public void Own_objects_can_still_override_what_built_ins_define()
    {
        var outcome = RunHook(
            """
            class 주문오류 extends Error {
              constructor(message) { super(message); this.name = '주문오류'; }
            }
            function 메뉴(이름) { this.이름 = 이름; }
            메뉴.prototype.toString = function () { return '메뉴 ' + this.이름; };
            const o = {};
            o.toString = () => '직접';
            o.constructor = 메뉴;
            const f = function () {};
            f.toString = () => '함수';
            vars.r = [String(new 주문오류('품절')), String(new 메뉴('피자')), String(o), o.constructor === 메뉴, String(f),
              Object.prototype.toString.call([]), ({}).hasOwnProperty('x'), Object.keys(o).join()];
            let refused = [];
            for (const attempt of [() => { Object.prototype.toString = () => 'x'; }, () => { Error.prototype.name = 'x'; },
                                   () => { Reflect.set(Object.prototype, 'valueOf', 1) || (() => { throw new TypeError('refused'); })(); }]) {
              try { attempt(); } catch (e) { refused.push(e instanceof TypeError); }
            }
            vars.refused = refused;
            """);

        Assert.Null(outcome.Failure);
        Assert.Equal("""["주문오류: 품절","메뉴 피자","직접",true,"함수","[object Array]",false,"toString,constructor"]""", outcome.Vars["r"].GetRawText());
        Assert.Equal("[true,true,true]", outcome.Vars["refused"].GetRawText());
    }

    private static (JintScriptProgram Program, PreparedScript First, PreparedScript Second) Build(string hook, string? second = null)
    {
        var kit = new ScriptKit();
        var first = kit.Hook(hook);
        var other = second is null ? first : second.StartsWith("value", StringComparison.Ordinal) ? kit.Check(second) : kit.Hook(second);
        return ((JintScriptProgram)kit.Build(), first, other);
    }
}
