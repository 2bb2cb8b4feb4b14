using System.Text.RegularExpressions;
using KakaoFlow.Diagnostics;
using KakaoFlow.Model;
using KakaoFlow.Templates;
using KakaoFlow.Resources;

namespace KakaoFlow.Compiling;

/// <summary>
/// Warnings for texts that compile but silently do something else than meant: <c>{name}</c> in single braces and
/// a <c>{{</c> never closed (both printed as written), and a <c>check:</c> reading a property text does not have
/// (<c>value.lenght</c> is undefined, so the check refuses every answer).
/// </summary>
internal static partial class TextMistakes
{
    /// <summary>What a JavaScript string has: <c>length</c> and the methods of <c>String.prototype</c>.</summary>
    private static readonly string[] StringMembers =
    [
        "length", "at", "charAt", "charCodeAt", "codePointAt", "concat", "endsWith", "includes", "indexOf",
        "isWellFormed", "lastIndexOf", "localeCompare", "match", "matchAll", "normalize", "padEnd", "padStart",
        "repeat", "replace", "replaceAll", "search", "slice", "split", "startsWith", "substr", "substring",
        "toLocaleLowerCase", "toLocaleUpperCase", "toLowerCase", "toString", "toUpperCase", "toWellFormed", "trim",
        "trimEnd", "trimStart", "trimLeft", "trimRight", "valueOf", "constructor",
    ];

    /// <summary><c>{name}</c> or <c>{ a.b }</c> that is not part of a <c>{{…}}</c>.</summary>
    [GeneratedRegex(@"(?<!\{)\{\s*([\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*)\s*\}(?!\})")]
    private static partial Regex SingleBraces();

    /// <summary>A name after <c>{{</c>, up to where a placeholder's name would end.</summary>
    [GeneratedRegex(@"\G\s*([^\s{}|]*)")]
    private static partial Regex NameAfterOpening();

    /// <summary><c>value.name</c>, not <c>x.value.name</c>.</summary>
    [GeneratedRegex(@"(?<![\w$.])value\s*\.\s*([A-Za-z_$][\w$]*)")]
    private static partial Regex ValueProperty();

    public static void CheckTemplate(SourceText text, DiagnosticBag diagnostics)
    {
        foreach (Match single in SingleBraces().Matches(text.Text))
        {
            var name = single.Groups[1].Value;
            diagnostics.ReportWithHint(DiagnosticCodes.SingleBraces, text.SpanAt(single.Index), Text.Of(Messages.Hint_SingleBraces, name), name);
        }

        foreach (var open in Template.Parse(text.Text).Unclosed)
        {
            var name = NameAfterOpening().Match(text.Text, open + 2).Groups[1].Value;
            var hint = name.Length == 0 ? Text.Of(Messages.Hint_PlaceholderForm) : Text.Of(Messages.Hint_ClosePlaceholder, name);
            diagnostics.ReportWithHint(DiagnosticCodes.UnclosedPlaceholder, text.SpanAt(open), hint, name);
        }
    }

    public static void CheckInputCheck(SourceText check, DiagnosticBag diagnostics)
    {
        foreach (Match read in ValueProperty().Matches(check.Text))
        {
            var property = read.Groups[1];
            if (!StringMembers.Contains(property.Value, StringComparer.Ordinal))
            {
                var suggestion = DidYouMean.Suggest(property.Value, StringMembers);
                var hint = suggestion is null ? Text.Of(Messages.Hint_TextMembers) : Text.Of(Messages.Hint_DidYouMeanValue, suggestion);
                diagnostics.ReportWithHint(DiagnosticCodes.UnknownTextProperty, check.SpanAt(property.Index), hint, property.Value);
            }
        }
    }
}
