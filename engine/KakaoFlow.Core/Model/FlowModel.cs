using System.Collections.Immutable;
using System.Text.Json;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Model;

/// <summary>A value as the owner wrote it, with where it was written.</summary>
public readonly record struct Located<T>(T Value, SourceSpan Span);

/// <summary>
/// Maps a position inside a scalar's text (1-based line and column) back to the flow file,
/// so that a JavaScript error inside <c>js: |</c> points at the right line of flow.yaml.
/// </summary>
public sealed record ContentOrigin(string File, int FirstLine, int FirstColumn, bool IsBlock)
{
    public SourceSpan Map(int line, int column)
    {
        line = Math.Max(1, line);
        column = Math.Max(1, column);
        if (IsBlock)
        {
            return new SourceSpan(File, FirstLine + line - 1, FirstColumn + column - 1);
        }

        return line == 1
            ? new SourceSpan(File, FirstLine, FirstColumn + column - 1)
            : new SourceSpan(File, FirstLine + line - 1, column);
    }
}

/// <summary>Text the owner wrote (a reply, a script, an expression) and where its content starts.</summary>
public sealed record SourceText(string Text, SourceSpan Span, ContentOrigin Origin)
{
    /// <summary>Where the character at <paramref name="offset"/> of <see cref="Text"/> was written in the file.</summary>
    public SourceSpan SpanAt(int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < Text.Length; i++)
        {
            if (Text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return Origin.Map(line, offset - lineStart + 1);
    }
}

/// <summary>
/// The whole flow file as written, before any meaning is checked. <see cref="LeftOut"/> holds every text (keys and
/// values) of the parts an error made the reader skip — a misspelled <c>gotoo:</c>, a button of the wrong shape — so
/// that warnings those parts would answer (a step never reached, a variable never set) wait until the error is fixed.
/// </summary>
public sealed record FlowDocument(
    string File,
    Located<string>? Name,
    Located<string>? MonitorPhone,
    Located<bool>? PrivacyConsent,
    ImmutableDictionary<string, Located<string>> Settings,
    ImmutableDictionary<string, SourceText> Messages,
    ButtonList? Home,
    ImmutableArray<NamedStep> Steps,
    ImmutableArray<Located<string>> Scripts,
    ImmutableArray<string> LeftOut);

public sealed record NamedStep(Located<string> Name, StepNode Step);

/// <summary>A keyboard as written; <see cref="Written"/> counts the list items, including ones that were not valid buttons.</summary>
public sealed record ButtonList(SourceSpan Span, ImmutableArray<ButtonNode> Buttons, int Written);

/// <summary>One button: its label and what pressing it shows. A leaf (<c>- 라벨: 답</c>) is a step with only <c>say</c>.</summary>
public sealed record ButtonNode(Located<string> Label, StepNode Target, bool IsLeaf);

public sealed record StepNode(
    SourceSpan Span,
    SourceText? Say,
    PhotoNode? Photo,
    LinkNode? Link,
    ImmutableArray<SetNode> Set,
    SourceText? Js,
    Located<string>? Goto,
    ButtonList? Buttons,
    InputNode? Input)
{
    public static StepNode Leaf(SourceText say) => new(say.Span, say, null, null, [], null, null, null, null);
}

public sealed record PhotoNode(SourceSpan Span, SourceText? Url, Located<int>? Width, Located<int>? Height);

public sealed record LinkNode(SourceSpan Span, SourceText? Label, SourceText? Url);

/// <summary>A variable assignment; <see cref="Value"/> is already typed (number, boolean, text) as docs/design.md ("Typed values") says.</summary>
public sealed record SetNode(Located<string> Name, JsonElement Value);

public sealed record InputNode(
    SourceSpan Span,
    Located<string>? Save,
    Located<string>? Type,
    SourceText? Check,
    SourceText? Retry,
    Located<string>? Next);
