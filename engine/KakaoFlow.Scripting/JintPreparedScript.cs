using Acornima.Ast;
using Jint;
using KakaoFlow.Hooks;
using KakaoFlow.Model;

namespace KakaoFlow.Scripting;

internal enum ScriptKind
{
    Hook,
    Check,
    Shared,
}

/// <summary>A script parsed once; the <see cref="Prepared{T}"/> is immutable and shared by every run.</summary>
internal sealed class JintPreparedScript(SourceText source, ScriptKind kind, string sourceName, Prepared<Script> prepared, object owner)
    : PreparedScript(source)
{
    public ScriptKind Kind { get; } = kind;

    /// <summary>The name Jint reports in locations and stack traces (e.g. <c>hook3</c>).</summary>
    public string SourceName { get; } = sourceName;

    public Prepared<Script> Prepared { get; } = prepared;

    /// <summary>The builder that made it: a script runs only in its own program.</summary>
    public object Owner { get; } = owner;
}
