using System.Collections.Immutable;
using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Model;
using KakaoFlow.Runtime;

namespace KakaoFlow.Scripting;

/// <summary>
/// Runs hooks, checks and shared scripts in a Jint sandbox. Every script is parsed once (strict mode) when the
/// flow is compiled; every run borrows one of its program's engines (<see cref="SandboxEngine"/>: frozen built-ins,
/// the global object put back after each run, limits of <see cref="HookLimits"/> set per run), so nothing a script
/// does (globals, prototypes) survives into the next run or reaches another user.
/// </summary>
public sealed class JintScriptCompiler : IScriptCompiler
{
    public IScriptProgramBuilder CreateProgram(string botId, HookLimits limits)
    {
        ArgumentNullException.ThrowIfNull(botId);
        ArgumentNullException.ThrowIfNull(limits);
        return new JintProgramBuilder(botId, SandboxLimits.From(limits));
    }

    /// <summary>
    /// Runs a representative hook once so the first real turns do not pay for JIT compilation of the
    /// interpreter: on a small machine that alone can take a first JSON-heavy hook close to its time limit.
    /// Call it at host start-up; it touches no store and no log. Returns whether the warm-up hook ran cleanly.
    /// </summary>
    public static bool WarmUp()
    {
        const string Code = """
            const items = Array.from({ length: 50 }, (_, i) => ({ id: i, name: '상품' + i, price: i * 100 }));
            const text = JSON.stringify(items);
            vars.total = JSON.parse(text).reduce((sum, item) => sum + item.price, 0);
            vars.names = items.map(item => item.name).filter(name => /상품\d+/.test(name)).join(', ').replace(/, /g, ',');
            say(`합계 ${vars.total.toLocaleString()}원 ${now().slice(0, 10)} ${'0'.padStart(2, '0')}`);
            buttons(['예', '아니요'], { save: 'answer', next: 'home' });
            """;
        var file = "warm-up.js";
        // Generous limits: the point is to pay the JIT here, and a loaded machine must not turn that into a failure.
        var builder = new JintScriptCompiler().CreateProgram("warm-up", HookLimits.Default with { Timeout = TimeSpan.FromSeconds(30) });
        var hook = builder.AddHook(new SourceText(Code, SourceSpan.StartOf(file), new ContentOrigin(file, 1, 1, IsBlock: true)), new DiagnosticBag());
        var program = builder.Build();
        var vars = ImmutableDictionary<string, JsonElement>.Empty.WithComparers(StringComparer.Ordinal);
        var clean = hook is not null;
        for (var i = 0; i < 3 && hook is not null; i++)
        {
            var outcome = program.Run(hook, new HookContext("warm-up", vars, Turn.Text("예"), TimeProvider.System.GetUtcNow(), HookServices.None, CancellationToken.None));
            clean &= outcome.Failure is null && outcome.Buttons is not null;
        }

        return clean;
    }
}
