using System.Globalization;

namespace KakaoFlow.Diagnostics;

/// <summary>A kind of problem: its stable code, severity and message template.</summary>
public sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Title, string MessageFormat)
{
    /// <summary>
    /// The most of one quoted value a message keeps (bytes of UTF-8): a key, a step name, a parser's complaint. A
    /// diagnostic points at the place; it does not copy the file.
    /// </summary>
    public const int MaxQuoteBytes = 300;

    public Diagnostic Create(SourceSpan span, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0)
        {
            return new(Severity, Code, span, MessageFormat);
        }

        var quoted = args.Select(arg => arg is string text ? Excerpt.Cut(text, MaxQuoteBytes) : arg).ToArray();
        return new(Severity, Code, span, string.Format(CultureInfo.InvariantCulture, MessageFormat, quoted));
    }
}
