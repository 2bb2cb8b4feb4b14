namespace KakaoFlow.Diagnostics;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>One problem found in a flow, kept as data: where, how bad, which stable code, what to do.</summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Code, SourceSpan Span, string Message, string? Hint = null)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The `check` line: <c>file:line:column: error KF0xx: message (hint)</c>.</summary>
    public string Format(string? displayPath = null)
    {
        var severity = IsError ? "error" : "warning";
        var hint = Hint is null ? "" : $" ({Hint})";
        return $"{displayPath ?? Span.File}:{Span.Line}:{Span.Column}: {severity} {Code}: {Message}{hint}";
    }

    public override string ToString() => Format();
}
