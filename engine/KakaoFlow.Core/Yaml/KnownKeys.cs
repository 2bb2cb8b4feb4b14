using KakaoFlow.Diagnostics;
using KakaoFlow.Resources;

namespace KakaoFlow.Yaml;

/// <summary>Reports every key of a mapping that is not one of the known ones, with a did-you-mean.</summary>
public static class KnownKeys
{
    public static void Check(YamlMappingNode map, IReadOnlyCollection<string> known, string where, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(diagnostics);
        foreach (var (key, _) in map.Entries)
        {
            if (!known.Contains(key.Value))
            {
                ReportUnknown(key, known, where, diagnostics);
            }
        }
    }

    /// <summary>Reports <paramref name="key"/> as unknown in <paramref name="where"/>: the nearest known key, or all of them.</summary>
    public static void ReportUnknown(YamlScalarNode key, IReadOnlyCollection<string> known, string where, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var suggestion = DidYouMean.Suggest(key.Value, known);
        diagnostics.ReportWithHint(
            DiagnosticCodes.UnknownKey,
            key.Span,
            suggestion is null ? Text.Of(Messages.Hint_KnownKeys, string.Join(", ", known)) : Text.Of(Messages.Hint_DidYouMean, suggestion),
            key.Value,
            where);
    }
}
