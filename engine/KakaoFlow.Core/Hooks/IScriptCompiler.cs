using KakaoFlow.Diagnostics;
using KakaoFlow.Model;

namespace KakaoFlow.Hooks;

/// <summary>
/// The seam between the compiler and a JavaScript engine. The compiler asks for one program per flow
/// version; the program prepares (parses) every hook and check once, and runs them per turn.
/// </summary>
public interface IScriptCompiler
{
    IScriptProgramBuilder CreateProgram(string botId, HookLimits limits);
}

public interface IScriptProgramBuilder
{
    /// <summary>A shared <c>scripts:</c> file; its functions are visible to every hook of the bot.</summary>
    void AddSharedScript(SourceText script, DiagnosticBag diagnostics);

    /// <summary>A step's <c>js:</c> hook (statements). Returns null and reports KF016 on a syntax error.</summary>
    PreparedScript? AddHook(SourceText code, DiagnosticBag diagnostics);

    /// <summary>An <c>input.check</c> expression over <c>value</c>. Returns null and reports KF016 on a syntax error.</summary>
    PreparedScript? AddCheck(SourceText expression, DiagnosticBag diagnostics);

    IScriptProgram Build();
}

/// <summary>A hook or check parsed once; run it through its <see cref="IScriptProgram"/>.</summary>
public abstract class PreparedScript(SourceText source)
{
    public SourceText Source { get; } = source;

    /// <summary>Where the script starts in the flow file, for error reports.</summary>
    public SourceSpan Location => Source.Span;
}

/// <summary>All the scripts of one flow version. Thread-safe: many turns run at once.</summary>
public interface IScriptProgram
{
    HookOutcome Run(PreparedScript script, HookContext context);
}

/// <summary>The limits of a bot's hooks: per run, and (<see cref="DataBytes"/>) on the bot's data. A value of zero or less means the default.</summary>
public sealed record HookLimits
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
    public int MaxStatements { get; init; } = 100_000;
    public long MemoryBytes { get; init; } = 16 * 1024 * 1024;
    public int MaxRecursion { get; init; } = 64;

    /// <summary>The most the bot's <c>data</c> may take, keys and values together (<c>settings.data_limit_mb</c>).</summary>
    public long DataBytes { get; init; } = 10 * 1024 * 1024;

    public static HookLimits Default { get; } = new();
}
