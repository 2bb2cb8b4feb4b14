using KakaoFlow.Hooks;
using KakaoFlow.Scripting;
using static KakaoFlow.Tests.Scripting.ScriptKit;

namespace KakaoFlow.Tests.Scripting;

/// <summary>
/// One built-in call can allocate far past the memory limit before Jint checks it again. Unguarded, each of
/// these hooks costs seconds and gigabytes; guarded, it fails fast with a RangeError the hook can catch.
/// </summary>
public sealed class BuiltinGuardTests
{
    [Theory]
    [InlineData("const s = 'x'.repeat(10000);\nvars.n = new Array(60000).fill(s).join('').length;")]
    [InlineData("const s = 'x'.repeat(100000);\nvars.n = new Array(60000).fill(s).toLocaleString().length;")]
    [InlineData("const s = 'x'.repeat(1000000);\nvars.n = JSON.stringify(new Array(50000).fill(s)).length;")]
    [InlineData("const s = 'x'.repeat(1000000);\nvars.n = JSON.stringify(new Array(50000).fill(s), (k, v) => v).length;")]
    [InlineData("const s = 'x'.repeat(1000000);\nvars.n = s.padEnd(5e8).length;")]
    [InlineData("const s = 'x'.repeat(1000000);\nvars.n = s.replaceAll('x', 'x'.repeat(1000)).length;")]
    [InlineData("const s = 'x'.repeat(1000000);\nvars.n = s.replace(/x/g, () => s).length;")]
    [InlineData("const s = 'x'.repeat(100000);\nvars.n = ''.concat(...new Array(60000).fill(s)).length;")]
    [InlineData("const n = 3e8;\nvars.n = 'x'.repeat(n).length;")]
    public void Huge_strings_from_one_call_are_refused(string code)
    {
        // The guard answers at once; the generous hook timeout only keeps a loaded machine from turning it into a timeout.
        var outcome = Returns(() => RunHook(code, limits: new HookLimits { Timeout = TimeSpan.FromSeconds(4) }), seconds: 30);

        var failure = Fails(outcome, HookFailureKind.ScriptError);
        Assert.StartsWith("RangeError", failure.Message, StringComparison.Ordinal);
        Assert.Equal(11, failure.Location.Line);
    }

    [Fact]
    public void Sparse_array_join_stops_at_the_limits()
    {
        var outcome = Returns(() => RunHook("const a = [];\na.length = 1e9;\nvars.n = a.join('').length;"));

        Assert.NotNull(outcome.Failure);
        Assert.NotEqual(HookFailureKind.ScriptError, outcome.Failure.Kind);
    }

    [Fact]
    public void Guarded_built_ins_keep_their_meaning()
    {
        var outcome = RunHook(
            "const a = [1, 2]; a.push(a);\n" +
            "vars.join = [String(a), [null, undefined, 3].join('-'), Array.prototype.join.call('abc'), [[1, [2]], 3].join(';'), [].join()];\n" +
            "vars.json = [JSON.stringify({ a: [1, '가', { b: null }] }, null, 2), JSON.stringify({ a: 1, b: 2, c: { a: 3 } }, ['a', 'c']), JSON.stringify({ x: 1, y: 2 }, (k, v) => k === 'y' ? undefined : v), JSON.stringify(undefined)];\n" +
            "vars.text = ['서울시, 강남구'.replace(/, /g, '$&\\n'), '강남구'.replaceAll('구', '[$&]'), 'a-b-c'.replace('-', m => m + m), 'abc'.replace(/(b)/, \"$'$1$`$$\"), '7'.padStart(3, '0'), '하'.repeat(3), '가'.concat('나', 1)];");

        Assert.Null(outcome.Failure);
        Assert.Equal("""["1,2,","--3","a,b,c","1,2;3",""]""", outcome.Vars["join"].GetRawText());
        Assert.Equal("""["{\n  \"a\": [\n    1,\n    \"가\",\n    {\n      \"b\": null\n    }\n  ]\n}","{\"a\":1,\"c\":{\"a\":3}}","{\"x\":1}",null]""", outcome.Vars["json"].GetRawText());
        Assert.Equal("""["서울시, \n강남구","강남[구]","a--b-c","acba$c","007","하하하","가나1"]""", outcome.Vars["text"].GetRawText());
    }

    [Theory]
    [InlineData(1000, "", 1000)]
    [InlineData(1000, "ab", 1000 + (1001 * 2))]
    [InlineData(1000, "$&\n", 1000 + 1001 + 1000)]
    [InlineData(1000, "$$", 1000 + 1001)]
    [InlineData(10, "$'", 10 + (11 * 10))]
    public void Replacement_bound_is_an_upper_bound(int length, string replacement, double expected)
    {
        Assert.Equal(expected, BuiltinGuards.ReplacementBound(length, replacement));
    }

    [Fact]
    public void Guarded_built_ins_look_like_the_originals()
    {
        var outcome = RunHook(
            "const keys = []; for (const k in ['가']) keys.push(k); for (const k in '나') keys.push(k); for (const k in { a: 1 }) keys.push(k);\n" +
            "const d = Object.getOwnPropertyDescriptor(Array.prototype, 'join');\n" +
            "vars.r = [keys.join('|'), d.writable, d.enumerable, d.configurable, typeof JSON.stringify, [].join.name, ''.padStart.length];");

        Assert.Null(outcome.Failure);
        // Frozen like every built-in (Lockdown): neither writable nor configurable.
        Assert.Equal("""["0|0|a",false,false,false,"function","join",2]""", outcome.Vars["r"].GetRawText());
    }
}
