namespace KakaoFlow.Diagnostics;

/// <summary>Collects diagnostics in the order they are found; nothing here throws.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public IReadOnlyList<Diagnostic> Items => _items;
    public bool HasErrors => _items.Exists(d => d.IsError);

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    public void Report(DiagnosticDescriptor descriptor, SourceSpan span, params object?[] args) =>
        _items.Add(descriptor.Create(span, args));

    public void ReportWithHint(DiagnosticDescriptor descriptor, SourceSpan span, string? hint, params object?[] args) =>
        _items.Add(descriptor.Create(span, args) with { Hint = hint });

    /// <summary>
    /// Diagnostics sorted the way people work through them: errors first (the flow does not run until they are
    /// fixed), then warnings, each by file, line and column. The same diagnostic found twice (a step written once
    /// and used twice through a YAML alias) is listed once.
    /// </summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        [.. _items.Distinct().OrderByDescending(d => d.IsError).ThenBy(d => d.Span.File, StringComparer.Ordinal).ThenBy(d => d.Span.Line).ThenBy(d => d.Span.Column)];
}
