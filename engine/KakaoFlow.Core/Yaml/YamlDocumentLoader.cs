using KakaoFlow.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

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
        var builder = new Builder(source.File, diagnostics);
        try
        {
            var parser = new Parser(new StringReader(source.Text));
            return builder.ReadStream(parser);
        }
        catch (YamlException ex)
        {
            var span = builder.SpanOf(ex.Start, ex.End);
            var tab = ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) ? FirstIndentingTab(source, span.Line) : null;
            diagnostics.Add(DiagnosticCodes.YamlSyntax.Create(tab ?? span, CleanMessage(ex)) with
            {
                Hint = tab is null ? null : "indent with spaces; tabs are not allowed in YAML indentation",
            });
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

    private sealed class Builder(string file, DiagnosticBag diagnostics)
    {
        private readonly Dictionary<string, YamlNodeBase> _anchors = new(StringComparer.Ordinal);
        private long _expanded;

        public SourceSpan SpanOf(Mark start, Mark end) =>
            new(file, (int)Math.Max(1, start.Line), (int)Math.Max(1, start.Column), (int)Math.Max(1, end.Line), (int)Math.Max(1, end.Column));

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
                diagnostics.Report(DiagnosticCodes.YamlSyntax, SpanOf(extra.Start, extra.End), "a flow file holds one YAML document; remove the second '---'");
            }

            return root;
        }

        private YamlNodeBase ReadNode(IParser parser, int depth)
        {
            var current = parser.Current ?? throw new YamlException("unexpected end of the file");
            if (depth > MaxDepth)
            {
                throw new YamlException(current.Start, current.End, $"nesting deeper than {MaxDepth} levels");
            }

            switch (current)
            {
                case AnchorAlias alias:
                    parser.MoveNext();
                    var aliasSpan = SpanOf(alias.Start, alias.End);
                    if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value.Value}' has no anchor '&{alias.Value.Value}' before it");
                    }

                    Count(target.ExpandedSize, aliasSpan);
                    return target;

                case Scalar scalar:
                    parser.MoveNext();
                    Count(1, SpanOf(scalar.Start, scalar.End));
                    return Remember(scalar, new YamlScalarNode(SpanOf(scalar.Start, scalar.End), scalar.Value, MapStyle(scalar.Style)));

                case SequenceStart start:
                    parser.MoveNext();
                    Count(1, SpanOf(start.Start, start.End));
                    var items = new List<YamlNodeBase>();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        items.Add(ReadNode(parser, depth + 1));
                    }

                    return Remember(start, new YamlSequenceNode(SpanOf(start.Start, start.End), items));

                case MappingStart start:
                    parser.MoveNext();
                    Count(1, SpanOf(start.Start, start.End));
                    return Remember(start, ReadMapping(parser, SpanOf(start.Start, start.End), depth + 1));

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
                    diagnostics.Report(DiagnosticCodes.WrongShape, keyNode.Span, "a key", "plain text");
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
