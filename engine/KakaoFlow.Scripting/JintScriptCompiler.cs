namespace KakaoFlow.Scripting;

/// <summary>
/// Runs hooks, checks and shared scripts in a Jint sandbox. Every script is parsed once (strict mode) when the
/// flow is compiled; every run gets a fresh engine with the limits of <see cref="HookLimits"/>, so nothing a
/// script does (globals, prototypes) survives into the next run or reaches another user.
/// </summary>
public sealed class JintScriptCompiler : IScriptCompiler
{
    public IScriptProgramBuilder CreateProgram(string botId, HookLimits limits)
    {
        ArgumentNullException.ThrowIfNull(botId);
        ArgumentNullException.ThrowIfNull(limits);
        return new JintProgramBuilder(botId, SandboxLimits.From(limits));
    }
}
