using KakaoFlow.Diagnostics;

namespace KakaoFlow.Yaml;

/// <summary>
/// A YAML node with its place in the file. We build our own small tree from YamlDotNet's parser
/// events so that every node keeps its position, duplicate keys can be reported with both places,
/// and alias expansion can be bounded (YamlDotNet's representation model does neither).
/// </summary>
public abstract class YamlNodeBase
{
    private protected YamlNodeBase(SourceSpan span) => Span = span;

    public SourceSpan Span { get; }

    /// <summary>Nodes this subtree stands for once aliases are expanded.</summary>
    public abstract long ExpandedSize { get; }

    public abstract string KindName { get; }
}

public sealed class YamlScalarNode : YamlNodeBase
{
    public YamlScalarNode(SourceSpan span, string value, YamlScalarStyle style) : base(span)
    {
        Value = value;
        Style = style;
    }

    public string Value { get; }
    public YamlScalarStyle Style { get; }

    /// <summary>
    /// Nothing written at all (<c>key:</c> with nothing after it). A written <c>null</c> or <c>~</c> is the
    /// owner's text like any other word: owners are not YAML programmers.
    /// </summary>
    public bool IsNull => Style == YamlScalarStyle.Plain && Value.Length == 0;

    public override long ExpandedSize => 1;
    public override string KindName => "text";
}

public enum YamlScalarStyle
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

public sealed class YamlMappingNode : YamlNodeBase
{
    private readonly long _size;

    public YamlMappingNode(SourceSpan span, IReadOnlyList<KeyValuePair<YamlScalarNode, YamlNodeBase>> entries) : base(span)
    {
        Entries = entries;
        _size = 1 + entries.Sum(e => 1 + e.Value.ExpandedSize);
    }

    public IReadOnlyList<KeyValuePair<YamlScalarNode, YamlNodeBase>> Entries { get; }
    public override long ExpandedSize => _size;
    public override string KindName => "a mapping";

    public YamlNodeBase? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    public YamlScalarNode? KeyNode(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Key;
}

public sealed class YamlSequenceNode : YamlNodeBase
{
    private readonly long _size;

    public YamlSequenceNode(SourceSpan span, IReadOnlyList<YamlNodeBase> items) : base(span)
    {
        Items = items;
        _size = 1 + items.Sum(i => i.ExpandedSize);
    }

    public IReadOnlyList<YamlNodeBase> Items { get; }
    public override long ExpandedSize => _size;
    public override string KindName => "a list";
}

/// <summary>The text of a YAML file, kept so that positions inside block scalars can be mapped back.</summary>
public sealed class YamlSourceText
{
    private readonly string[] _lines;

    public YamlSourceText(string file, string text)
    {
        File = file;
        Text = text;
        _lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
    }

    public string File { get; }
    public string Text { get; }

    /// <summary>The 1-based line, or empty when past the end.</summary>
    public string Line(int line) => line >= 1 && line <= _lines.Length ? _lines[line - 1] : "";

    public int LineCount => _lines.Length;

    /// <summary>
    /// The <c>#</c> note written right after a plain (unquoted) scalar on its last line, if any: YAML drops it from
    /// the value, though an owner may have meant it as part of the text. A note set apart as notes are (two spaces or
    /// more, then <c># </c>) is taken as meant; one space before it, or a <c>#</c> touching the next word
    /// (<c>#1</c>, <c>#해시태그</c>), reads as part of the text.
    /// </summary>
    public (SourceSpan Span, string Note)? NoteAfter(YamlScalarNode scalar)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        if (scalar.Style != YamlScalarStyle.Plain || scalar.IsNull)
        {
            return null;
        }

        var line = Line(scalar.Span.EndLine);
        var end = Math.Min(line.Length, scalar.Span.EndColumn - 1);
        var rest = line[end..];
        var note = rest.TrimStart(' ', '\t');
        var gap = rest.Length - note.Length;
        var setApart = gap >= 2 && (note.Length == 1 || note[1] == ' ');
        return note.StartsWith('#') && gap > 0 && !setApart
            ? (new SourceSpan(File, scalar.Span.EndLine, end + gap + 1), note.TrimEnd())
            : null;
    }
}
