using System.Text.RegularExpressions;
using KakaoFlow.Diagnostics;
using KakaoFlow.Resources;
using T = KakaoFlow.Resources.Messages;

namespace KakaoFlow.Yaml;

/// <summary>
/// Turns YamlDotNet's errors for the mistakes owners make most into a KF001 that says what to write instead, at the
/// line that is wrong (YamlDotNet often stops on the line after it): a <c>: </c> inside a sentence, a text starting
/// with <c>{{</c>, a backslash inside double quotes, no space after <c>:</c>, no <c>:</c> after a label, a key indented
/// one space off, an unclosed quote. Anything else keeps YamlDotNet's own words.
/// </summary>
internal static partial class YamlMistakes
{
    /// <summary>A key at the start of a line's content: <c>say:</c>, <c>메뉴 보기: …</c>, <c>"메뉴 ": …</c>.</summary>
    [GeneratedRegex(@"^(?:""(?<key>[^""]*)""|'(?<key>[^']*)'|(?<key>[^\s:#'""{}\[\],&*!|>%@`][^:#]*?))\s*:(?:\s|$)")]
    private static partial Regex KeyAtStart();

    /// <summary><c>key:value</c> with no space after the colon (and not a URL's <c>https://</c>).</summary>
    [GeneratedRegex(@"^(?<key>[^\s:#'""{}\[\],&*!|>%@`-][^:#]*?):(?<value>[^\s/].*)$")]
    private static partial Regex NoSpaceAfterColon();

    /// <summary>A <c>{{</c> where a value starts: after <c>key: </c>, after <c>- </c>, or first on the line.</summary>
    [GeneratedRegex(@"(?:^\s*|:\s+|-\s+)(?<braces>\{\{)")]
    private static partial Regex BracesAtValueStart();

    /// <summary>Why YamlDotNet refused the file, in the owner's words; null when the mistake is not one we know.</summary>
    public static Diagnostic? Explain(string error, SourceSpan start, SourceSpan end, YamlSourceText source)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(source);
        if (error.Contains("unknown escape character", StringComparison.Ordinal) || error.Contains("expected hexadecimal number", StringComparison.Ordinal))
        {
            return Backslash(start, end, source);
        }

        if (error.Contains("found invalid mapping", StringComparison.Ordinal))
        {
            return InvalidMapping(start, source, wrapped: error.Contains("multiline", StringComparison.Ordinal));
        }

        if (error.Contains("did not find expected key", StringComparison.Ordinal) || error.Contains("did not find expected '-' indicator", StringComparison.Ordinal))
        {
            return StartsWithBraces(start.Line, start.Column, source)
                ?? QuoteInsideQuotes(start, source)
                ?? MissingSpaceOnLine(start.Line, source)
                ?? IndentedOff(start.Line, source);
        }

        if (error.Contains("quoted scalar", StringComparison.Ordinal)
            && (error.Contains("end of stream", StringComparison.Ordinal) || error.Contains("wrong indentation", StringComparison.Ordinal)))
        {
            return UnclosedQuote(start, source);
        }

        return null;
    }

    /// <summary><c>say: {{name}}님</c>: the text is read as a mapping. Null unless the line has <c>{{</c> where a value starts.</summary>
    public static Diagnostic? StartsWithBraces(int line, int column, YamlSourceText source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var text = source.Line(line);
        var match = BracesAtValueStart().Match(text);
        if (!match.Success || match.Groups["braces"].Index >= column)
        {
            return null;
        }

        var at = match.Groups["braces"].Index;
        return Mistake(source, line, at, Format(T.Yaml_TextStartsWithBraces), Format(T.Yaml_TextStartsWithBracesHint, QuotedFrom(text, at)));
    }

    /// <summary>
    /// A plain text that reads <c>key:value</c> where <paramref name="isKey"/> accepts the key: a key and its value
    /// joined by a missing space (YAML reads the whole as one text). Null otherwise.
    /// </summary>
    public static Diagnostic? MissingSpace(YamlScalarNode scalar, Func<string, bool> isKey)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        ArgumentNullException.ThrowIfNull(isKey);
        if (scalar.Style != YamlScalarStyle.Plain || scalar.Span.EndLine != scalar.Span.Line
            || NoSpaceAfterColon().Match(scalar.Value) is not { Success: true } joined || !isKey(joined.Groups["key"].Value))
        {
            return null;
        }

        return NoSpaceAfterColonAt(scalar.Span.File, scalar.Span.Line, scalar.Span.Column - 1, joined);
    }

    /// <summary>
    /// The first '{' or '[' in a value that the text never closes (or closes with the other bracket), found by
    /// reading the lines; for the errors where YamlDotNet fails before it has told where the bracket opened.
    /// </summary>
    public static Diagnostic? UnclosedBracketIn(YamlSourceText source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var open = new Stack<(int Line, int Index, char Bracket)>();
        for (var number = 1; number <= source.LineCount; number++)
        {
            var text = source.Line(number);
            char? quote = null;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quote is { } q)
                {
                    if (q == '"' && c == '\\')
                    {
                        i++;
                    }
                    else if (c == q)
                    {
                        quote = null;
                    }

                    continue;
                }

                var before = text[..i].TrimEnd();
                var valueStart = before.Length == 0 || before[^1] is ':' or '-' || (open.Count > 0 && before[^1] is ',' or '[' or '{');
                if (c == '#' && (i == 0 || text[i - 1] == ' '))
                {
                    break;
                }

                if (c is '"' or '\'' && valueStart)
                {
                    quote = c;
                }
                else if (c is '{' or '[' && valueStart)
                {
                    open.Push((number, i, c));
                }
                else if (c is '}' or ']' && open.Count > 0)
                {
                    if (open.Peek().Bracket != (c == '}' ? '{' : '['))
                    {
                        return UnclosedBracket(new SourceSpan(source.File, open.Peek().Line, open.Peek().Index + 1), open.Peek().Bracket);
                    }

                    open.Pop();
                }
            }
        }

        return open.Count == 0 ? null : UnclosedBracket(new SourceSpan(source.File, open.Peek().Line, open.Peek().Index + 1), open.Peek().Bracket);
    }

    /// <summary>
    /// YamlDotNet's "did not find expected ','" inside the '{' or '[' at <paramref name="open"/>: the bracket is never
    /// closed, or, when it is closed on its line, a ',' is missing before the word YamlDotNet stopped after.
    /// </summary>
    public static Diagnostic MissingCommaOrClose(SourceSpan at, SourceSpan open, char bracket, YamlSourceText source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var text = source.Line(open.Line);
        if (at.Line != open.Line || !ClosesOnItsLine(text, open.Column - 1))
        {
            return UnclosedBracket(open, bracket);
        }

        var word = text.LastIndexOf(' ', Math.Max(0, Math.Min(text.Length, at.Column - 1) - 1)) + 1;
        var name = text[word..(at.Column - 1)].TrimEnd(':');
        return Mistake(source, at.Line, word, Format(T.Yaml_MissingComma, name), Format(T.Yaml_MissingCommaHint, bracket, bracket == '{' ? '}' : ']'));
    }

    /// <summary>Whether the bracket at <paramref name="open"/> is closed later on the same line (quotes skipped).</summary>
    private static bool ClosesOnItsLine(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] is '"' or '\'' && ClosingQuote(text, i) is { } close)
            {
                i = close;
            }
            else if (text[i] is '{' or '[')
            {
                depth++;
            }
            else if (text[i] is '}' or ']' && --depth == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A '{' or '[' opened at <paramref name="open"/> that the file never closes.</summary>
    public static Diagnostic UnclosedBracket(SourceSpan open, char bracket)
    {
        var close = bracket == '[' ? ']' : '}';
        return DiagnosticCodes.YamlSyntax.Create(open, Format(T.Yaml_UnclosedBracket, bracket, close)) with
        {
            Hint = Format(T.Yaml_UnclosedBracketHint, bracket, close),
        };
    }

    private static Diagnostic? Backslash(SourceSpan start, SourceSpan end, YamlSourceText source)
    {
        // YamlDotNet's end mark is at or just past the bad escape: the backslash is the last one before it.
        var text = source.Line(end.Line);
        var backslash = text.LastIndexOf('\\', Math.Min(text.Length, end.Column) - 1);
        if (backslash < 0)
        {
            return null;
        }

        var escape = text.Substring(backslash, Math.Min(2, text.Length - backslash));
        var hint = start.Line == end.Line && ClosingQuote(text, start.Column - 1) is { } close
            ? Format(T.Yaml_BackslashInDoubleQuotesHint, text[IndentOf(text)..(start.Column - 1)] + SingleQuoted(text[start.Column..close].Replace("\\\"", "\"", StringComparison.Ordinal)))
            : Format(T.Yaml_BackslashInDoubleQuotesHint, "'…'");
        return Mistake(source, end.Line, backslash, Format(T.Yaml_BackslashInDoubleQuotes, escape), hint);
    }

    /// <summary><c>goto:home</c> as the last key of a step: the line YamlDotNet stops on lacks the space.</summary>
    private static Diagnostic? MissingSpaceOnLine(int number, YamlSourceText source)
    {
        return Shape.Of(source, number) is { } line && NoSpaceAfterColon().Match(line.Content) is { Success: true } joined
            ? NoSpaceAfterColonAt(source.File, number, line.ContentColumn, joined)
            : null;
    }

    /// <summary>The diagnostic for <c>key:value</c> matched in text that starts at <paramref name="index"/> of the line.</summary>
    private static Diagnostic NoSpaceAfterColonAt(string file, int line, int index, Match joined)
    {
        var key = joined.Groups["key"].Value;
        var value = joined.Groups["value"].Value;
        return DiagnosticCodes.YamlSyntax.Create(new SourceSpan(file, line, index + key.Length + 1), Format(T.Yaml_MissingSpaceAfterColon, key + ":" + FirstWord(value), key)) with
        {
            Hint = Format(T.Yaml_MissingSpaceAfterColonHint, key, value.TrimEnd()),
        };
    }

    /// <summary><c>say: "{{name}}님 "반가워요""</c>: the second <c>"</c> ends the text, and YAML cannot read the rest.</summary>
    private static Diagnostic? QuoteInsideQuotes(SourceSpan at, YamlSourceText source)
    {
        var text = source.Line(at.Line);
        var open = text.IndexOf('"', StringComparison.Ordinal);
        if (open < 0 || open >= at.Column - 1 || ClosingQuote(text, open) is not { } close || close >= at.Column - 1)
        {
            return null;
        }

        var last = text.LastIndexOf('"');
        var inside = text[(open + 1)..last].Replace("\\\"", "\"", StringComparison.Ordinal);
        return Mistake(source, at.Line, close, Format(T.Yaml_QuoteInsideQuotes), Format(T.Yaml_QuoteInsideQuotesHint, text[IndentOf(text)..open] + SingleQuoted(inside)));
    }

    private static Diagnostic? InvalidMapping(SourceSpan at, YamlSourceText source, bool wrapped)
    {
        var line = Shape.Of(source, at.Line);
        if (line is null)
        {
            return null;
        }

        // 안내: 영업시간: 9시 — a key, then a text with ': ' in it.
        var text = source.Line(at.Line);
        var firstColon = text.IndexOf(": ", line.ContentColumn, StringComparison.Ordinal);
        if (firstColon >= 0 && firstColon < at.Column - 1)
        {
            var value = firstColon + 2 + (text.Length - firstColon - 2 - text[(firstColon + 2)..].TrimStart().Length);
            return Mistake(source, at.Line, at.Column - 1, Format(T.Yaml_ColonInText), Format(T.Yaml_ColonInTextHint, QuotedFrom(text, value)));
        }

        var above = Shape.Above(source, at.Line);

        // say:오늘의 메뉴 / goto: home — YamlDotNet stops at the second line; the first lacks the space.
        if (above is not null && above.Indent == line.Indent && NoSpaceAfterColon().Match(above.Content) is { Success: true } joined)
        {
            return NoSpaceAfterColonAt(source.File, above.Number, above.ContentColumn, joined);
        }

        // - 메뉴 / say: … — the label has no ':', so the lines under it are read as more of its text.
        if (wrapped && above is not null && above.Indent < line.Indent && !above.Content.Contains(':', StringComparison.Ordinal))
        {
            var label = above.Content.TrimEnd();
            var endOfLabel = above.ContentColumn + label.Length;
            return Mistake(source, above.Number, endOfLabel, Format(T.Yaml_MissingColon, label), Format(T.Yaml_MissingColonHint, label));
        }

        if (IndentedOff(at.Line, source) is { } indented)
        {
            return indented;
        }

        // say: 영업시간은 / 평일: 9시 — a text wrapped onto a line that has ': ' in it.
        return above is not null && above.Indent < line.Indent && KeyAtStart().Match(above.Content) is { Success: true } owner
            ? Mistake(source, at.Line, at.Column - 1, Format(T.Yaml_ColonInText), Format(T.Yaml_ColonInWrappedTextHint, owner.Groups["key"].Value + ":"))
            : null;
    }

    /// <summary>
    /// A key (or a list item) one space left or right of the lines it belongs with. The lines above that are one
    /// space off are named (at most two: the one it may belong under and the one it may sit beside).
    /// </summary>
    private static Diagnostic? IndentedOff(int number, YamlSourceText source)
    {
        if (Shape.Of(source, number) is not { } line || (!line.IsItem && line.Key is null))
        {
            return null;
        }

        var column = line.IsItem ? line.Indent : line.ContentColumn;
        var near = new List<(Shape Line, int Column)>();
        for (var n = number - 1; n >= 1 && near.Count < 2; n--)
        {
            if (Shape.Of(source, n) is not { } other)
            {
                continue;
            }

            int? otherColumn = line.IsItem ? (other.IsItem ? other.Indent : null) : (other.Key is null ? null : other.ContentColumn);
            if (otherColumn == column)
            {
                return null;
            }

            if (otherColumn is { } c && Math.Abs(c - column) == 1 && !near.Exists(x => x.Column == c))
            {
                near.Add((other, c));
            }

            if (other.Indent <= column - 2)
            {
                break;
            }
        }

        if (near.Count == 0)
        {
            return null;
        }

        var lines = string.Join(T.Yaml_IndentedOffAnd, near.Select(x => Format(T.Yaml_IndentedOffLine, NameOf(x.Line, line.IsItem), x.Line.Number, Spaces(x.Column))));
        return Mistake(source, number, column, Format(T.Yaml_IndentedOff, NameOf(line, line.IsItem), Spaces(column), lines), Format(T.Yaml_IndentedOffHint));
    }

    /// <summary>How a line is named in a message: its key, or <c>- label</c> when list items are compared.</summary>
    private static string NameOf(Shape line, bool asItem) => asItem ? "- " + (line.Key ?? line.Content.TrimEnd()) : line.Key!;

    private static string Spaces(int count) => count == 1 ? Format(T.Yaml_OneSpace) : Format(T.Yaml_Spaces, count);

    private static Diagnostic? UnclosedQuote(SourceSpan start, YamlSourceText source)
    {
        var text = source.Line(start.Line);
        var at = start.Column - 1;
        if (at >= text.Length || (text[at] != '"' && text[at] != '\'') || ClosingQuote(text, at) is not null)
        {
            return null;
        }

        var quote = text[at] == '"' ? "\"" : "'";
        return Mistake(source, start.Line, at, Format(T.Yaml_UnclosedQuote, quote), Format(T.Yaml_UnclosedQuoteHint, quote));
    }

    /// <summary>The index of the quote closing the one at <paramref name="open"/> on the same line, or null.</summary>
    private static int? ClosingQuote(string text, int open)
    {
        var quote = text[open];
        for (var i = open + 1; i < text.Length; i++)
        {
            if (quote == '"' && text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                if (quote == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return null;
    }

    /// <summary>The line from its indentation on, with the text from <paramref name="at"/> quoted.</summary>
    private static string QuotedFrom(string line, int at) => line[IndentOf(line)..at] + Quoted(line[at..].TrimEnd());

    /// <summary>Double quotes unless the text has a quote or a backslash of its own; then single quotes.</summary>
    private static string Quoted(string text) =>
        text.Contains('"', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal) ? SingleQuoted(text) : "\"" + text + "\"";

    private static string SingleQuoted(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string FirstWord(string text) => text.Split(' ', 2)[0];

    private static int IndentOf(string line) => line.Length - line.TrimStart(' ').Length;

    private static Diagnostic Mistake(YamlSourceText source, int line, int index, string message, string hint) =>
        DiagnosticCodes.YamlSyntax.Create(new SourceSpan(source.File, line, index + 1), message) with { Hint = hint };

    private static string Format(string format, params object[] args) => Text.Of(format, args);

    /// <summary>
    /// A line that holds something (not blank, not only a comment): its indentation, whether it is a list item
    /// (<c>- </c>), where its content starts after the dash, and the key it starts with, if any.
    /// </summary>
    private sealed record Shape(int Number, int Indent, bool IsItem, int ContentColumn, string Content, string? Key)
    {
        public static Shape? Of(YamlSourceText source, int number)
        {
            var text = source.Line(number);
            var indent = IndentOf(text);
            var rest = text[indent..];
            if (rest.Length == 0 || rest[0] == '#')
            {
                return null;
            }

            var isItem = rest == "-" || rest.StartsWith("- ", StringComparison.Ordinal);
            var content = isItem ? rest[1..].TrimStart(' ') : rest;
            var contentColumn = text.Length - content.Length;
            var key = KeyAtStart().Match(content);
            return new Shape(number, indent, isItem, contentColumn, content, key.Success ? key.Groups["key"].Value.Trim() : null);
        }

        public static Shape? Above(YamlSourceText source, int number)
        {
            for (var n = number - 1; n >= 1; n--)
            {
                if (Of(source, n) is { } shape)
                {
                    return shape;
                }
            }

            return null;
        }
    }
}
