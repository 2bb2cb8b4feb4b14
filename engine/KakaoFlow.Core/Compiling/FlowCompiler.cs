using KakaoFlow.Scripting;

namespace KakaoFlow.Compiling;

/// <summary>Model → <see cref="CompiledFlow"/> or located diagnostics. Never throws at users.</summary>
public sealed partial class FlowCompiler(IScriptCompiler? scripts)
{
    public IScriptCompiler? ScriptCompiler { get; } = scripts;

    public FlowCompilation Compile(FlowSource source) => throw new NotImplementedException();
}
