using KakaoFlow.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using KakaoFlow.Resources;

namespace KakaoFlow.Yaml;

/// <summary>Reads one YAML document into <see cref="YamlNodeBase"/> nodes, reporting problems as diagnostics.</summary>
public static class YamlDocumentLoader
{
    /// <summary>Flow files are small; anything expanding past this is an alias bomb, not a chatbot.</summary>
    public const long MaxExpandedNodes = 100_000;

    /// <summary>Deeper nesting than this is refused before it can exhaust the stack.</summary>
    public const int MaxDepth = 64;

    public static YamlNodeBase? Load(YamlSourceText source, DiagnosticBag diagnostics)
    {
        var builder = new Builder(source, diagnostics);
        try
        {
            var parser = new Parser(new StringReader(source.Text));
            return builder.ReadStream(parser);
        }
        catch (YamlException ex)
        {
            var span = builder.SpanOf(ex.Start, ex.End);
            var message = CleanMessage(ex);
            var tab = message.Contains("tab", StringComparison.OrdinalIgnoreCase) ? FirstIndentingTab(source, span.Line) : null;
            var explained = tab is not null ? null
                : message.Contains("did not find expected ','", StringComparison.Ordinal) && builder.OpenBracket is { } open ? YamlMistakes.MissingCommaOrClose(span, open.Span, open.Bracket, source)
                : YamlMistakes.Explain(message, span, builder.SpanOf(ex.End, ex.End), source);
            if (explained is null)
            {
                diagnostics.Add(DiagnosticCodes.YamlSyntax.Create(tab ?? span, message) with
                {
                    Hint = tab is null ? null : Text.Of(Messages.Hint_Tabs),
                });
            }
            else if (!diagnostics.Items.Contains(explained))
            {
                // A text starting with '{{' may already be reported where it was read as a mapping.
                diagnostics.Add(explained);
            }

            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, not a YamlException, for some unclosed '{' or '[' (aaubry/YamlDotNet#541),
            // sometimes before it has reported where the bracket opened.
            diagnostics.Add(builder.OpenBracket is { } open ? YamlMistakes.UnclosedBracket(open.Span, open.Bracket)
                : YamlMistakes.UnclosedBracketIn(source) ?? DiagnosticCodes.YamlSyntax.Create(builder.LastRead, Text.Of(Messages.Yaml_Unreadable)));
            return null;
        }
        catch (AliasLimitExceeded ex)
        {
            diagnostics.Report(DiagnosticCodes.AliasLimit, ex.Span, MaxExpandedNodes);
            return null;
        }
    }

    /// <summary>YamlDotNet reports a tab at the start of the enclosing block; owners need the tab itself.</summary>
    private static SourceSpan? FirstIndentingTab(YamlSourceText source, int fromLine)
    {
        for (var line = Math.Max(1, fromLine); line <= source.LineCount; line++)
        {
            var text = source.Line(line);
            var indent = text.Length - text.TrimStart(' ', '\t').Length;
            var tab = text.IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent)
            {
                return new SourceSpan(source.File, line, tab + 1);
            }
        }

        return null;
    }

    private static string CleanMessage(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (…): "; the position is data in our diagnostic already.
        var message = ex.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
        {
            message = message[(cut + 3)..];
        }

        return message.TrimEnd('.');
    }

    private sealed class AliasLimitExceeded(SourceSpan span) : Exception
    {
        public SourceSpan Span { get; } = span;
    }

    private sealed class Builder(YamlSourceText source, DiagnosticBag diagnostics)
    {
        private readonly Dictionary<string, YamlNodeBase> _anchors = new(StringComparer.Ordinal);
        private readonly Stack<(SourceSpan Span, char Bracket)> _openBrackets = new();
        private long _expanded;

        /// <summary>Where the last node read started: the place to point at when YamlDotNet gives none.</summary>
        public SourceSpan LastRead { get; private set; } = SourceSpan.StartOf(source.File);

        /// <summary>The innermost <c>{</c> or <c>[</c> being read, if any: the one a parse error may have left open.</summary>
        public (SourceSpan Span, char Bracket)? OpenBracket => _openBrackets.Count > 0 ? _openBrackets.Peek() : null;

        public SourceSpan SpanOf(Mark start, Mark end) =>
            new(source.File, (int)Math.Max(1, start.Line), (int)Math.Max(1, start.Column), (int)Math.Max(1, end.Line), (int)Math.Max(1, end.Column));

        public YamlNodeBase? ReadStream(Parser parser)
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, 0);
            parser.Consume<DocumentEnd>();
            if (parser.Current is DocumentStart extra)
            {
                diagnostics.Report(DiagnosticCodes.YamlSyntax, SpanOf(extra.Start, extra.End), Text.Of(Messages.Yaml_SecondDocument));
            }

            return root;
        }

        private YamlNodeBase ReadNode(IParser parser, int depth)
        {
            var current = parser.Current ?? throw new YamlException(Text.Of(Messages.Yaml_UnexpectedEnd));
            LastRead = SpanOf(current.Start, current.End);
            if (depth > MaxDepth)
            {
                throw new YamlException(current.Start, current.End, Text.Of(Messages.Yaml_TooDeep, MaxDepth));
            }

            switch (current)
            {
                case AnchorAlias alias:
                    parser.MoveNext();
                    var aliasSpan = SpanOf(alias.Start, alias.End);
                    if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        throw new YamlException(alias.Start, alias.End, Text.Of(Messages.Yaml_AliasWithoutAnchor, alias.Value.Value));
                    }

                    Count(target.ExpandedSize, aliasSpan);
                    return target;

                case Scalar scalar:
                    parser.MoveNext();
                    Count(1, SpanOf(scalar.Start, scalar.End));
                    return Remember(scalar, new YamlScalarNode(SpanOf(scalar.Start, scalar.End), scalar.Value, MapStyle(scalar.Style)));

                case SequenceStart start:
                    Count(1, SpanOf(start.Start, start.End));
                    Open(start.Style == SequenceStyle.Flow, start, '[');
                    parser.MoveNext();
                    var items = new List<YamlNodeBase>();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        items.Add(ReadNode(parser, depth + 1));
                    }

                    Close(start.Style == SequenceStyle.Flow);
                    return Remember(start, new YamlSequenceNode(SpanOf(start.Start, start.End), items));

                case MappingStart start when start.Style == MappingStyle.Flow && YamlMistakes.StartsWithBraces((int)start.Start.Line, (int)start.Start.Column, source) is { } braces:
                    // say: {{name}} is a YAML mapping; the owner meant text. Reported, then read as the text it shows.
                    diagnostics.Add(braces);
                    return new YamlScalarNode(SpanOf(start.Start, start.End), SkipAsText(parser), YamlScalarStyle.Plain);

                case MappingStart start:
                    Count(1, SpanOf(start.Start, start.End));
                    Open(start.Style == MappingStyle.Flow, start, '{');
                    parser.MoveNext();
                    var mapping = ReadMapping(parser, SpanOf(start.Start, start.End), depth + 1);
                    Close(start.Style == MappingStyle.Flow);
                    return Remember(start, mapping);

                default:
                    throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
            }
        }

        private YamlMappingNode ReadMapping(IParser parser, SourceSpan span, int depth)
        {
            var entries = new List<KeyValuePair<YamlScalarNode, YamlNodeBase>>();
            var seen = new Dictionary<string, YamlScalarNode>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, depth);
                var value = ReadNode(parser, depth);
                if (keyNode is not YamlScalarNode key)
                {
                    diagnostics.Report(DiagnosticCodes.WrongShape, keyNode.Span, Text.Of(Messages.Where_AKey), Text.Of(Messages.Expect_PlainText));
                    continue;
                }

                if (seen.TryGetValue(key.Value, out var first))
                {
                    diagnostics.Report(DiagnosticCodes.DuplicateKey, key.Span, key.Value, first.Span.Line, first.Span.Column);
                    continue;
                }

                seen.Add(key.Value, key);
                entries.Add(new(key, value));
            }

            return new YamlMappingNode(span, entries);
        }

        private void Open(bool flow, ParsingEvent start, char bracket)
        {
            if (flow)
            {
                _openBrackets.Push((SpanOf(start.Start, start.End), bracket));
            }
        }

        private void Close(bool flow)
        {
            if (flow)
            {
                _openBrackets.Pop();
            }
        }

        /// <summary>Skips the mapping starting at the current event; returns its source text on its first line.</summary>
        private string SkipAsText(IParser parser)
        {
            var start = parser.Current!.Start;
            var end = start;
            var nesting = 0;
            do
            {
                var current = parser.Current!;
                nesting += current is MappingStart or SequenceStart ? 1 : current is MappingEnd or SequenceEnd ? -1 : 0;
                end = current.End;
                parser.MoveNext();
            }
            while (nesting > 0);

            var line = source.Line((int)start.Line);
            var from = (int)start.Column - 1;
            var to = end.Line == start.Line ? Math.Min(line.Length, (int)end.Column - 1) : line.Length;
            return line[from..Math.Max(from, to)].TrimEnd();
        }

        private YamlNodeBase Remember(NodeEvent nodeEvent, YamlNodeBase node)
        {
            if (!nodeEvent.Anchor.IsEmpty)
            {
                _anchors[nodeEvent.Anchor.Value] = node;
            }

            return node;
        }

        private void Count(long nodes, SourceSpan at)
        {
            _expanded += nodes;
            if (_expanded > MaxExpandedNodes)
            {
                throw new AliasLimitExceeded(at);
            }
        }

        private static YamlScalarStyle MapStyle(ScalarStyle style) => style switch
        {
            ScalarStyle.SingleQuoted => YamlScalarStyle.SingleQuoted,
            ScalarStyle.DoubleQuoted => YamlScalarStyle.DoubleQuoted,
            ScalarStyle.Literal => YamlScalarStyle.Literal,
            ScalarStyle.Folded => YamlScalarStyle.Folded,
            _ => YamlScalarStyle.Plain,
        };
    }
}
