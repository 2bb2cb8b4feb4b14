using System.Globalization;

namespace KakaoFlow.Diagnostics;

/// <summary>A kind of problem: its stable code, severity and message template.</summary>
public sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Title, string MessageFormat)
{
    public Diagnostic Create(SourceSpan span, params object?[] args) =>
        new(Severity, Code, span, args.Length == 0 ? MessageFormat : string.Format(CultureInfo.InvariantCulture, MessageFormat, args));
}
