using KakaoFlow.Hooks;
using KakaoFlow.Scripting;

namespace KakaoFlow.Cli;

/// <summary>The one place that chooses the JavaScript engine for every command.</summary>
public static class ScriptEngine
{
    public static IScriptCompiler CreateCompiler() => new JintScriptCompiler();

    /// <summary>
    /// For a server: the first JSON-heavy hook of a fresh process spends most of a second in the JIT, close to the
    /// 1 s hook limit, so the server pays that once at start-up instead of its first user.
    /// </summary>
    public static IScriptCompiler CreateWarmCompiler()
    {
        JintScriptCompiler.WarmUp();
        return CreateCompiler();
    }
}
