using System.Globalization;
using System.Text.RegularExpressions;

namespace KakaoFlow.Compiling;

/// <summary>Durations as owners write them: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>2h</c>, <c>30d</c>, or combined like <c>1h30m</c>.</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(?:(\d{1,9})(ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            var amount = long.Parse(match.Groups[1].Captures[i].Value, CultureInfo.InvariantCulture);
            duration += match.Groups[2].Captures[i].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        return duration > TimeSpan.Zero;
    }

    /// <summary>The shortest way an owner would write it back: <c>10m</c>, <c>1h30m</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new List<string>();
        if (duration.Days > 0)
        {
            parts.Add($"{duration.Days}d");
        }

        if (duration.Hours > 0)
        {
            parts.Add($"{duration.Hours}h");
        }

        if (duration.Minutes > 0)
        {
            parts.Add($"{duration.Minutes}m");
        }

        if (duration.Seconds > 0)
        {
            parts.Add($"{duration.Seconds}s");
        }

        if (duration.Milliseconds > 0)
        {
            parts.Add($"{duration.Milliseconds}ms");
        }

        return string.Concat(parts);
    }
}
