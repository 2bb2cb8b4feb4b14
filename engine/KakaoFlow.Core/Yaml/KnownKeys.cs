using KakaoFlow.Diagnostics;

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
                var suggestion = DidYouMean.Suggest(key.Value, known);
                diagnostics.ReportWithHint(
                    DiagnosticCodes.UnknownKey,
                    key.Span,
                    suggestion is null ? $"known keys: {string.Join(", ", known)}" : $"did you mean '{suggestion}'?",
                    key.Value,
                    where);
            }
        }
    }
}
