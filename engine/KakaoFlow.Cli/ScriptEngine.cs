using KakaoFlow.Scripting;

namespace KakaoFlow.Cli;

/// <summary>The one place that chooses the JavaScript engine for every command.</summary>
public static class ScriptEngine
{
    public static IScriptCompiler CreateCompiler() => new JintScriptCompiler();
}
