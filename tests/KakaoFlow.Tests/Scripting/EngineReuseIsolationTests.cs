using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using static KakaoFlow.Tests.Scripting.ScriptKit;

namespace KakaoFlow.Tests.Scripting;

/// <summary>
/// Nothing one run does is seen by a later run of the same program (the same flow version: the case where an engine
/// could be reused), whether the later run is the same user's or another's, and whether the first run ended cleanly
/// or failed. Every case runs the attack, then its check several times as another user and as the same user.
/// </summary>
public sealed class EngineReuseIsolationTests
{
    /// <summary>
    /// (name, attack, check). The attack runs inside <c>try</c>, so its run ends cleanly even when the sandbox refuses
    /// it. The check is an expression that is true in a run no other run has touched; in the attacker's own run it
    /// must be false unless the attack was refused, which proves it would notice the attack.
    /// </summary>
    public static TheoryData<string, string, string> Attacks => new()
    {
        // Prototypes of built-ins, by assignment, defineProperty, Symbol keys and __proto__.
        { "Object.prototype property", "Object.prototype.관리자 = true;", "({}).관리자 === undefined" },
        { "Array.prototype method", "Array.prototype.push = function () { return -1; };", "[].push(1) === 1" },
        { "String.prototype property", "String.prototype.몰래 = () => 'leak';", "''.몰래 === undefined" },
        { "Function.prototype.call", "Function.prototype.call = function () { return 'leak'; };", "(function () { return 1; }).call(null) === 1" },
        { "Promise.prototype.then", "Promise.prototype.then = function () { return 'leak'; };", "Promise.resolve(1).then(x => x) instanceof Promise" },
        { "Symbol-keyed property", "Object.prototype[Symbol.for('leak')] = 1;", "({})[Symbol.for('leak')] === undefined" },
        { "Symbol.iterator of Array.prototype", "Array.prototype[Symbol.iterator] = function* () { yield 'leak'; };", "[...[1, 2]].join() === '1,2'" },
        { "getter defined on Object.prototype", "Object.defineProperty(Object.prototype, '관리자', { get() { return true; }, configurable: true });", "({}).관리자 === undefined" },
        { "defineProperty on a built-in function", "Object.defineProperty(JSON, 'parse', { value: () => 'leak' });", "JSON.parse('1') === 1" },
        { "__proto__ of a literal", "({}).__proto__.관리자 = true;", "({}).관리자 === undefined" },
        { "__proto__ of Array.prototype", "Array.prototype.__proto__ = { 관리자: true };", "[].관리자 === undefined && Object.getPrototypeOf(Array.prototype) === Object.prototype" },
        { "setPrototypeOf a built-in prototype", "Object.setPrototypeOf(String.prototype, { 관리자: true });", "''.관리자 === undefined" },
        { "__proto__ accessor deleted", "delete Object.prototype.__proto__;", "Object.getOwnPropertyDescriptor(Object.prototype, '__proto__') !== undefined" },
        { "array iterator prototype", "Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true });", "[1, 2][Symbol.iterator]().next().value === 1" },
        { "%IteratorPrototype%", "Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).관리자 = 1;", "[].values().관리자 === undefined" },
        { "generator prototype", "Object.getPrototypeOf(function* () {}).prototype.next = () => ({ done: true });", "[...(function* () { yield 1; })()].length === 1" },
        { "async function prototype", "Object.getPrototypeOf(async function () {}).관리자 = 1;", "(async function () {}).관리자 === undefined" },
        { "Error.prototype.toString", "Error.prototype.toString = () => 'leak';", "new Error('x').toString() === 'Error: x'" },
        { "Error constructor", "Error.관리자 = 1;", "Error.관리자 === undefined" },
        { "RegExp.prototype.exec", "RegExp.prototype.exec = () => null;", "/a/.test('a')" },
        { "Map.prototype.get", "Map.prototype.get = () => 'leak';", "new Map([[1, 2]]).get(1) === 2" },
        { "Number.prototype.toLocaleString", "Number.prototype.toLocaleString = () => 'leak';", "(1000).toLocaleString() !== 'leak'" },
        { "Reflect", "Reflect.관리자 = 1;", "Reflect.관리자 === undefined" },
        { "Intl", "Intl.관리자 = 1;", "Intl.관리자 === undefined" },

        // The string-length guards: replaced, or their originals reached.
        { "String.prototype.repeat guard", "String.prototype.repeat = function () { return 'leak'; };", "'가'.repeat(3) === '가가가' && (() => { try { 'x'.repeat(3e8); return false; } catch (e) { return e instanceof RangeError; } })()" },
        { "Array.prototype.join guard", "Array.prototype.join = function () { return 'leak'; };", "[1, 2].join('-') === '1-2'" },
        { "JSON.stringify guard", "JSON.stringify = () => 'leak';", "JSON.stringify([1]) === '[1]'" },

        // Globals replaced, deleted, or the global object itself changed.
        { "built-in global replaced", "globalThis.Proxy = undefined;", "typeof Proxy === 'function'" },
        { "built-in global deleted", "delete globalThis.JSON;", "typeof JSON === 'object'" },
        { "global object's prototype", "Object.setPrototypeOf(globalThis, { 관리자: 1 });", "typeof 관리자 === 'undefined'" },
        { "global object made non-extensible", "Object.preventExtensions(globalThis);", "(() => { globalThis.임시 = 1; return delete globalThis.임시; })()" },
        { "global object sealed", "Object.seal(globalThis);", "(() => { globalThis.임시 = 1; return delete globalThis.임시 && delete globalThis.Map && (globalThis.Map = 1) === 1; })()" },
        { "globalThis property", "globalThis.남은값 = 1;", "typeof 남은값 === 'undefined'" },
        { "non-configurable global", "Object.defineProperty(globalThis, '남은값', { value: 1, configurable: false });", "typeof 남은값 === 'undefined'" },
        { "built-in global redefined for good", "Object.defineProperty(globalThis, 'JSON', { value: { parse: () => 'leak' }, writable: false, configurable: false });", "JSON.parse('1') === 1 && Object.getOwnPropertyDescriptor(globalThis, 'JSON').configurable" },
        { "getter for a built-in global", "Object.defineProperty(globalThis, 'Math', { get() { return { random: () => 0.5 }; } });", "Math.random() !== 0.5 || Math.random() !== 0.5" },
        { "implicit global", "남은값 = 1;", "typeof 남은값 === 'undefined'" },

        // Built-ins frozen by a run, or unfrozen.
        { "Object.prototype frozen", "if (Object.isFrozen(Object.prototype)) throw new TypeError('already frozen');\nObject.freeze(Object.prototype);", "(() => { const o = {}; o.toString = () => 'mine'; return String(o) === 'mine'; })()" },
        { "Error.prototype frozen", "if (Object.isFrozen(Error.prototype)) throw new TypeError('already frozen');\nObject.freeze(Error.prototype);", "(() => { const e = new Error('x'); e.name = '주문오류'; return String(e) === '주문오류: x'; })()" },
        { "a non-writable built-in unfrozen", "Object.defineProperty(Math, 'PI', { value: 3, writable: true });", "Math.PI > 3.14" },
        { "Object.freeze replaced", "Object.freeze = o => o;", "Object.isFrozen(Object.freeze({}))" },

        // Closures kept by a built-in that could call them later.
        { "JSON.parse reviver", "JSON.parse('{\"a\":1}', (k, v) => { globalThis.되살림 = true; return 'leak'; });", "JSON.parse('{\"a\":1}').a === 1 && typeof 되살림 === 'undefined'" },
        { "JSON.stringify replacer", "JSON.stringify({ a: 1 }, (k, v) => { globalThis.불림 = true; return k === 'a' ? 'leak' : v; });", "JSON.stringify({ a: 1 }) === '{\"a\":1}' && typeof 불림 === 'undefined'" },
        { "replace callback", "'a'.replace(/a/, () => { globalThis.불림 = true; return 'leak'; });", "'a'.replace(/a/, 'b') === 'b' && 'a'.replace('a', 'c') === 'c' && typeof 불림 === 'undefined'" },
        { "RegExp legacy statics", "/(비밀)/.test('비밀'); RegExp.input = '비밀';", "RegExp.$1 !== '비밀' && RegExp.input !== '비밀' && RegExp.lastMatch !== '비밀'" },

        // The host API: its objects, its globals, getters and setters on them.
        { "host function replaced", "Object.defineProperty(globalThis, 'say', { value: () => {} });", "say.name === 'say'" },
        { "property on a host function", "say.관리자 = () => 'leak';", "say.관리자 === undefined" },
        { "data method replaced", "data.get = () => 'leak';", "data.get.name === 'get' && data.get.length === 1" },
        { "getter on data", "Object.defineProperty(data, 'get', { get() { return () => 'leak'; } });", "data.get.name === 'get'" },
        { "reply.text redefined", "Object.defineProperty(reply, 'text', { get() { return 'leak'; } });", "reply.text === null" },
        { "property on reply", "reply.몰래 = 1;", "reply.몰래 === undefined" },
        { "getter on vars", "Object.defineProperty(vars, '몰래', { get() { return 'leak'; }, enumerable: false });", "vars.몰래 === undefined" },
        { "prototype of vars", "Object.setPrototypeOf(vars, { 관리자: true });", "vars.관리자 === undefined" },
        { "input changed", "input.content = 'leak';", "input.content === '다음 사람'" },
        { "pay method replaced", "pay.charge = () => ({ ok: true });", "pay.charge.name === 'charge' && pay.charge.length === 2" },
        { "pay kept in a global", "globalThis.남의결제 = pay; Object.defineProperty(globalThis, '결제', { value: pay.charge });", "typeof 남의결제 === 'undefined' && typeof 결제 === 'undefined'" },

        // Promises, microtasks, generators left pending.
        { "pending promise", "globalThis.계속 = new Promise(r => { globalThis.풀기 = r; }).then(() => { globalThis.재개됨 = true; });", "typeof 풀기 === 'undefined' && typeof 계속 === 'undefined'" },
        { "resolver on a prototype", "let failed;\nnew Promise(r => { try { Object.prototype.풀기 = r; } catch (e) { failed = e; } });\nif (failed) throw failed;", "({}).풀기 === undefined" },
        { "suspended generator", "function* 생성() { yield 1; globalThis.재개됨 = true; } const g = 생성(); g.next(); globalThis.생성기 = g; Object.prototype.생성기 = g;", "typeof 생성기 === 'undefined' && ({}).생성기 === undefined" },

        // Time and randomness.
        { "Date replaced", "globalThis.Date = function () { return 'leak'; };", "typeof new Date().getTime === 'function'" },
        { "Date.now replaced", "Date.now = () => 0;", "Date.now() === new Date().getTime() && Date.now() > 0" },
        { "Date.prototype.getTime", "Date.prototype.getTime = () => 0;", "new Date().getTime() === Date.now()" },
        { "Math.random replaced", "Math.random = () => 0.5;", "Math.random() !== 0.5 || Math.random() !== 0.5" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Attack_leaves_no_trace_in_later_runs(string name, string attack, string check)
    {
        AssertNoTrace(name, $"try {{\n{attack}\n}} catch (e) {{ vars.refused = String(e); }}", check);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Attack_in_a_failed_run_leaves_no_trace(string name, string attack, string check)
    {
        // The run fails after its attack (an engine cut short must not be reused as it is).
        AssertNoTrace(name, $"try {{\n{attack}\n}} catch (e) {{ vars.refused = String(e); }}\nthrow new Error('끝');", check, attackFails: true);
    }

    [Theory]
    [InlineData("var", "var 남은값 = 1;")]
    [InlineData("let", "let 남은값 = 1;")]
    [InlineData("const", "const 남은값 = 1;")]
    [InlineData("function", "function 남은값() { return 1; }")]
    [InlineData("class", "class 남은값 {}")]
    [InlineData("this", "this.남은값 = 1;")]
    public void Top_level_declaration_is_gone_in_the_next_run(string kind, string declaration)
    {
        AssertNoTrace(kind, declaration, "typeof 남은값 === 'undefined'");
    }

    [Fact]
    public void Same_hook_declares_its_globals_again_every_run()
    {
        AssertSameEveryRun(
            "let 합계 = 0;\nconst 단가 = 1000;\nclass 주문 {}\nfunction 더하기() { 합계 += 단가; }\nvar 횟수 = (globalThis.횟수 ?? 0) + 1;\n더하기();\nvars.r = [합계, 횟수];",
            "[1000,1]");
    }

    [Fact]
    public void Shared_script_state_starts_over_every_run()
    {
        AssertSameEveryRun(
            "vars.r = [세기(input.content), 기록.length];",
            "[1,1]",
            shared: "let 호출수 = 0;\nconst 기록 = [];\nfunction 세기(who) { 기록.push(who); return ++호출수; }");
    }

    [Fact]
    public void Regex_literal_starts_at_lastIndex_zero_every_run()
    {
        AssertSameEveryRun(
            "const re = /나/g;\nvars.r = [패턴.lastIndex, re.lastIndex, 패턴.test('가가'), re.test('나나'), 패턴.lastIndex, re.lastIndex];",
            "[0,0,true,true,1,1]",
            shared: "const 패턴 = /가/g;");
    }

    [Fact]
    public void No_timers_exist()
    {
        var outcome = RunHook(
            "vars.seen = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'requestAnimationFrame', 'requestIdleCallback']\n" +
            "  .filter(n => typeof globalThis[n] !== 'undefined');");

        Assert.Null(outcome.Failure);
        Assert.Equal("[]", outcome.Vars["seen"].GetRawText());
    }

    [Theory]
    [InlineData("while (true) {}")]
    [InlineData("function f() { return f() + 1; }\nf();")]
    [InlineData("throw new Error('끝');")]
    [InlineData("")]
    public void Microtask_of_an_earlier_run_never_runs_in_a_later_one(string ending)
    {
        // A promise job queued by a run that then ends (cleanly or by a limit) must not run inside the next run.
        var kit = new ScriptKit();
        var attacker = kit.Hook(
            "Promise.resolve().then(() => { globalThis.늦게 = true; say('늦게'); });\n" +
            "(async () => { await null; await null; globalThis.늦게 = true; })();\n" +
            ending);
        var victim = kit.Hook("vars.before = typeof 늦게;\nPromise.resolve().then(() => { vars.after = typeof 늦게; });");
        var program = kit.Build();

        program.Run(attacker, Context(input: Turn.Text("가")));
        for (var i = 0; i < 3; i++)
        {
            var outcome = program.Run(victim, Context(input: Turn.Text("나")));
            Assert.Null(outcome.Failure);
            Assert.Null(outcome.Say);
            Assert.Equal("undefined", outcome.Vars["before"].GetString());
            Assert.Equal("undefined", outcome.Vars["after"].GetString());
        }
    }

    [Fact]
    public void Template_objects_carry_nothing_between_runs()
    {
        // A tagged template's strings array is the same object every time its site runs (it is cached per realm);
        // it must be frozen, or it would carry data from one run to the next.
        AssertSameEveryRun(
            "const tag = s => s;\nconst site = () => tag`주문 ${1}`;\n" +
            "vars.r = [site().몰래 ?? null, site().raw.몰래 ?? null, Object.isFrozen(site()), Object.isFrozen(site().raw)];\n" +
            "try { site().몰래 = input.content; } catch (e) {}\ntry { site().raw.몰래 = input.content; } catch (e) {}",
            "[null,null,true,true]");
    }

    [Theory]
    [InlineData("Promise.reject(new Error('가'));")]
    [InlineData("(async () => { throw new Error('가'); })();")]
    [InlineData("new Promise(() => { throw new Error('가'); });")]
    public void Unhandled_rejection_does_not_fail_a_later_run(string rejection)
    {
        var kit = new ScriptKit();
        var first = kit.Hook(rejection + "\nvars.ok = true;");
        var second = kit.Hook("vars.ok = true;");
        var program = kit.Build();

        program.Run(first, Context(input: Turn.Text("가")));
        var later = program.Run(second, Context(input: Turn.Text("나")));

        Assert.Null(later.Failure);
        Assert.True(later.Vars["ok"].GetBoolean());
    }

    [Fact]
    public void Microtasks_of_a_run_finish_inside_that_run()
    {
        var outcome = RunHook("Promise.resolve(1).then(n => { vars.n = n; say('끝'); });\n(async () => { await null; vars.m = 2; })();");

        Assert.Null(outcome.Failure);
        Assert.Equal("1", outcome.Vars["n"].GetRawText());
        Assert.Equal("2", outcome.Vars["m"].GetRawText());
        Assert.Equal("끝", outcome.Say);
    }

    [Fact]
    public void Host_api_is_bound_to_each_run()
    {
        var kit = new ScriptKit();
        var first = kit.Hook(
            "say('가의 답'); photo('https://example.com/a.jpg', 10, 10); link('가', 'https://example.com/a');\n" +
            "buttons(['가'], { save: 'x', next: 'home' }); goto('home'); data.set('가', 1);\nfor (let i = 0; i < 25; i++) log('가', i);");
        var second = kit.Hook("vars.seen = [typeof vars.비밀, input.content, reply.text, data.keys()];\nlog('나');");
        var program = kit.Build();
        var (storeA, storeB) = (new MemoryDataStore(), new MemoryDataStore());
        var (logA, logB) = (new ListLog(), new ListLog());
        storeB.Set(BotId, "나", Json("2"));

        var a = program.Run(first, Context(Vars(("비밀", Json("\"가의 비밀\""))), Turn.Text("가"), new HookServices(storeA, logA)));
        var b = program.Run(second, Context(input: Turn.Text("나"), services: new HookServices(storeB, logB)));

        Assert.Null(a.Failure);
        Assert.Null(b.Failure);
        Assert.Equal("""["undefined","나",null,["나"]]""", b.Vars["seen"].GetRawText());
        Assert.Null(b.Say);
        Assert.Null(b.Photo);
        Assert.Null(b.Link);
        Assert.Null(b.Buttons);
        Assert.Null(b.Goto);
        Assert.False(b.Vars.ContainsKey("비밀"));
        Assert.Equal(["가"], storeA.Keys(BotId));
        Assert.Equal(["나"], storeB.Keys(BotId));
        Assert.Single(logB.Lines);
        Assert.Equal("나", logB.Lines.Single().Message);
    }

    [Fact]
    public void Clock_is_each_runs_own()
    {
        var kit = new ScriptKit();
        var hook = kit.Hook("vars.t = [now(), new Date().toISOString(), Date.now()];");
        var program = kit.Build();
        var later = Now.AddDays(3).AddMinutes(7);

        foreach (var at in (DateTimeOffset[])[Now, later, Now, later])
        {
            var outcome = program.Run(hook, Context() with { Now = at });
            Assert.Null(outcome.Failure);
            Assert.Equal(
                $"[\"{at.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd'T'HH:mm:ss.fff}+09:00\",\"{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff}Z\",{at.ToUnixTimeMilliseconds()}]",
                outcome.Vars["t"].GetRawText());
        }
    }

    [Fact]
    public void Math_random_is_not_replayed_across_runs()
    {
        var kit = new ScriptKit();
        var hook = kit.Hook("vars.r = [Math.random(), Math.random(), Math.random()];");
        var program = kit.Build();

        var sequences = Enumerable.Range(0, 6).Select(_ => program.Run(hook, Context()).Vars["r"].GetRawText()).ToList();

        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.All(sequences, s => Assert.DoesNotContain("0.5,", s, StringComparison.Ordinal));
    }

    [Fact]
    public void Error_thrown_by_one_run_is_not_seen_by_the_next()
    {
        var kit = new ScriptKit();
        var thrower = kit.Hook(
            "const bad = { get name() { globalThis.읽힘 = true; return 'Bad'; }, get message() { globalThis.읽힘 = true; return '가의 오류'; } };\n" +
            "try { Object.prototype.마지막오류 = bad; } catch (e) {}\nthrow bad;");
        var next = kit.Hook("vars.seen = [typeof 읽힘, typeof 마지막오류];\nnull.x;");
        var probe = kit.Hook("vars.seen = [typeof 읽힘, typeof 마지막오류];");
        var program = kit.Build();

        var first = program.Run(thrower, Context(input: Turn.Text("가")));
        var second = program.Run(next, Context(input: Turn.Text("나")));
        var third = program.Run(probe, Context(input: Turn.Text("나")));

        Assert.NotNull(first.Failure);
        var failure = Fails(second, HookFailureKind.ScriptError);
        Assert.StartsWith("TypeError", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("가의", failure.Message, StringComparison.Ordinal);
        Assert.Equal(11, failure.Location.Line);
        Assert.False(second.Vars.ContainsKey("seen"));
        Assert.Null(third.Failure);
        Assert.Equal("""["undefined","undefined"]""", third.Vars["seen"].GetRawText());
    }

    [Fact]
    public void Programs_never_share_state()
    {
        // Two flow versions (or two bots) with the same code: the second sees nothing of the first.
        var (kitA, kitB) = (new ScriptKit(), new ScriptKit());
        const string Code = "vars.before = [typeof 남은값, ({}).관리자 === undefined];\nglobalThis.남은값 = 1;\ntry { Object.prototype.관리자 = 1; } catch (e) {}";
        var (hookA, hookB) = (kitA.Hook(Code), kitB.Hook(Code));
        var (a, b) = (kitA.Build(), kitB.Build());

        a.Run(hookA, Context());
        var outcome = b.Run(hookB, Context());

        Assert.Equal("""["undefined",true]""", outcome.Vars["before"].GetRawText());
    }

    /// <summary>
    /// A description of every object reachable from the global object and the intrinsics only syntax reaches (generator
    /// and async function prototypes, iterator prototypes): each object's prototype and extensibility, each own
    /// property's attributes and value (objects named by the path they were first reached by). Getters are not called.
    /// Written to <c>data</c> in chunks because it is larger than a variable may be.
    /// </summary>
    private const string Fingerprint = """
        (() => {
          const { ownKeys, getOwnPropertyDescriptor, getPrototypeOf, isExtensible } = Reflect;
          const names = new Map();
          const queue = [];
          const out = [];
          const name = (v, path) => {
            if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
              return typeof v === 'symbol' ? String(v) : typeof v + ':' + String(v);
            }
            if (!names.has(v)) { names.set(v, path); queue.push(v); }
            return '@' + names.get(v);
          };
          const roots = [
            ['globalThis', globalThis],
            ['GeneratorFunction.prototype', getPrototypeOf(function* () {})],
            ['AsyncFunction.prototype', getPrototypeOf(async function () {})],
            ['AsyncGeneratorFunction.prototype', getPrototypeOf(async function* () {})],
            ['ArrayIterator.prototype', getPrototypeOf([][Symbol.iterator]())],
            ['MapIterator.prototype', getPrototypeOf(new Map()[Symbol.iterator]())],
            ['SetIterator.prototype', getPrototypeOf(new Set()[Symbol.iterator]())],
            ['StringIterator.prototype', getPrototypeOf(''[Symbol.iterator]())],
            ['RegExpStringIterator.prototype', getPrototypeOf('a'.matchAll(/a/g))],
          ];
          for (const [path, root] of roots) name(root, path);
          for (let i = 0; i < queue.length; i++) {
            const o = queue[i];
            const path = names.get(o);
            out.push(path + ' extensible=' + isExtensible(o) + ' proto=' + name(getPrototypeOf(o), path + '.__proto__'));
            for (const k of ownKeys(o)) {
              const d = getOwnPropertyDescriptor(o, k);
              const p = path + '.' + (typeof k === 'symbol' ? '[' + String(k) + ']' : k);
              const flags = (d.enumerable ? 'e' : '-') + (d.configurable ? 'c' : '-');
              out.push(p + ' ' + ('value' in d
                ? flags + (d.writable ? 'w ' : '- ') + name(d.value, p)
                : flags + ' get ' + name(d.get, p + '.get') + ' set ' + name(d.set, p + '.set')));
            }
          }
          const text = out.join('\n');
          const tag = 'fp' + (data.get('taken') ?? 0);
          data.set('taken', (data.get('taken') ?? 0) + 1);
          const size = 60000;
          let n = 0;
          for (let at = 0; at < text.length; at += size) data.set(tag + ':' + n++, text.slice(at, at + size));
          data.set(tag, n);
        })();
        """;

    [Fact]
    public void Built_ins_look_the_same_after_every_attack()
    {
        var limits = new HookLimits { MaxStatements = 50_000_000, Timeout = TimeSpan.FromSeconds(30), MemoryBytes = 1L << 30 };
        var kit = new ScriptKit(limits);
        var probe = kit.Hook(Fingerprint);
        var attacks = Attacks.Select(row => (string)row[1]).ToList();
        var hooks = attacks.Select(a => kit.Hook($"try {{\n{a}\n}} catch (e) {{}}")).ToList();
        hooks.AddRange(attacks.Select(a => kit.Hook($"try {{\n{a}\n}} catch (e) {{}}\nfunction f() {{ return f() + 1; }}\nf();")));
        hooks.AddRange(((string[])["var 남은값 = 1;", "function 남은함수() {}", "this.남은값2 = 1;"]).Select(kit.Hook));
        var program = kit.Build();
        var store = new MemoryDataStore();
        var services = new HookServices(store, null);

        string Take(string tag)
        {
            var outcome = program.Run(probe, Context(input: Turn.Text("가"), services: services));
            Assert.True(outcome.Failure is null, outcome.Failure?.Message);
            var chunks = store.Get(BotId, tag)!.Value.GetInt32();
            return string.Concat(Enumerable.Range(0, chunks).Select(i => store.Get(BotId, $"{tag}:{i}")!.Value.GetString()));
        }

        var before = Take("fp0");
        foreach (var hook in hooks)
        {
            program.Run(hook, Context(input: Turn.Text("가"), services: new HookServices(new MemoryDataStore(), null)));
        }

        var after = Take("fp1");

        var (lines, linesAfter) = (before.Split('\n'), after.Split('\n'));
        Assert.True(lines.Length > 1000, $"the fingerprint is too small to mean much: {lines.Length} lines");
        var gone = lines.Except(linesAfter).Take(10).ToList();
        var added = linesAfter.Except(lines).Take(10).ToList();
        Assert.True(gone.Count == 0 && added.Count == 0, $"changed after the attacks:\n- {string.Join("\n- ", gone)}\n+ {string.Join("\n+ ", added)}");
        Assert.Equal(before, after);
    }

    /// <summary>Runs <paramref name="hook"/> as three users in turn; each run must end with <c>vars.r</c> the same.</summary>
    private static void AssertSameEveryRun(string hook, string expected, string? shared = null)
    {
        var kit = new ScriptKit();
        if (shared is not null)
        {
            kit.Shared(shared);
        }

        var script = kit.Hook(hook);
        var program = kit.Build();
        foreach (var who in (string[])["가", "나", "가", "다"])
        {
            var outcome = program.Run(script, Context(input: Turn.Text(who)));
            Assert.True(outcome.Failure is null, $"{who}: {outcome.Failure?.Message}");
            Assert.Equal(expected, outcome.Vars["r"].GetRawText());
        }
    }

    /// <summary>Runs the check clean, the attack, then the check as another user and the same user, twice over.</summary>
    private static void AssertNoTrace(string name, string attack, string check, bool attackFails = false)
    {
        var kit = new ScriptKit();
        var attacker = kit.Hook($"{attack}\n;let 보임;\ntry {{ 보임 = !({check}); }} catch (e) {{ 보임 = true; }}\nvars.seen = 보임 || typeof vars.refused === 'string';");
        var probe = kit.Hook($"vars.clean = ({check}) === true;");
        var program = kit.Build();
        var user = Context(Vars(("비밀", Json("\"가의 비밀\""))), Turn.Text("가"));
        var other = Context(input: Turn.Text("다음 사람"));

        var before = program.Run(probe, other);
        Assert.True(before.Failure is null && before.Vars["clean"].GetBoolean(), $"{name}: the check is false in a clean run: {before.Failure?.Message}");

        for (var round = 0; round < 2; round++)
        {
            var attacked = program.Run(attacker, user);
            if (attackFails)
            {
                Assert.NotNull(attacked.Failure);
            }
            else
            {
                Assert.True(attacked.Failure is null, $"{name}: the attack run failed: {attacked.Failure?.Message}");
                Assert.True(attacked.Vars["seen"].GetBoolean(), $"{name}: the check does not notice the attack in the attacker's own run");
            }

            foreach (var context in (HookContext[])[other, other, user with { Input = Turn.Text("다음 사람") }])
            {
                var after = program.Run(probe, context);
                Assert.True(after.Failure is null, $"{name}: a later run failed: {after.Failure?.Message}");
                Assert.True(after.Vars["clean"].GetBoolean(), $"{name}: a later run sees the attack");
            }
        }
    }
}
