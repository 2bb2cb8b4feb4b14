namespace KakaoFlow.Diagnostics;

/// <summary>A place in a source file: 1-based line and column of the start, and of the end.</summary>
public readonly record struct SourceSpan
{
    public SourceSpan(string file, int line, int column, int endLine, int endColumn)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfLessThan(line, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(column, 1);
        File = file;
        Line = line;
        Column = column;
        EndLine = Math.Max(endLine, line);
        EndColumn = endLine > line ? Math.Max(endColumn, 1) : Math.Max(endColumn, column);
    }

    public SourceSpan(string file, int line, int column) : this(file, line, column, line, column) { }

    public string File { get; }
    public int Line { get; }
    public int Column { get; }
    public int EndLine { get; }
    public int EndColumn { get; }

    /// <summary>The start of a whole file, for problems that have no better place.</summary>
    public static SourceSpan StartOf(string file) => new(file, 1, 1);

    public SourceSpan At(int line, int column) => new(File, line, column);

    public override string ToString() => $"{File}:{Line}:{Column}";
}
