using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Hosting;

/// <summary>
/// What the catalog knows about one bot folder: the version serving (if any) and the diagnostics of the latest
/// compile of its files. Immutable; a reload replaces it.
/// </summary>
/// <param name="BotId">The folder name and URL segment.</param>
/// <param name="Flow">The version answering requests; null when no version of the folder ever compiled.</param>
/// <param name="Diagnostics">Every diagnostic of the latest compile attempt, in the <c>check</c> order.</param>
/// <param name="LastReloadFailed">The latest attempt had errors while an earlier version keeps serving.</param>
/// <param name="CheckedAt">When the latest compile attempt ran (system clock).</param>
internal sealed record BotStatus(
    string BotId,
    CompiledFlow? Flow,
    IReadOnlyList<Diagnostic> Diagnostics,
    bool LastReloadFailed,
    DateTimeOffset CheckedAt)
{
    public bool Served => Flow is not null;

    /// <summary>The version serving, or null.</summary>
    public string? Version => Flow?.Version;

    public int Errors => Diagnostics.Count(d => d.IsError);

    public int Warnings => Diagnostics.Count(d => !d.IsError);

    /// <summary>One line for a status page, e.g. <c>last reload failed (2 errors), serving version 3f2a…</c>.</summary>
    public string Summary => (Flow, LastReloadFailed) switch
    {
        ({ } flow, true) => $"last reload failed ({Count(Errors, "error")}), serving version {flow.Version}",
        ({ } flow, false) => $"serving version {flow.Version}",
        (null, _) => $"not served: {Count(Errors, "error")} in its flow",
    };

    /// <summary>The diagnostics as <c>kakaoflow check</c> prints them.</summary>
    public IEnumerable<string> DiagnosticLines => Diagnostics.Select(d => d.Format());

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}

/// <summary>What a reload did to one bot.</summary>
internal enum BotChangeKind
{
    /// <summary>A new bot folder compiled and is served.</summary>
    Added,

    /// <summary>A new version replaced the one serving.</summary>
    Reloaded,

    /// <summary>The changed files have errors; the earlier version (if any) keeps serving.</summary>
    ReloadFailed,

    /// <summary>The folder or its flow.yaml is gone; the bot is no longer served.</summary>
    Removed,
}

/// <summary>Raised by <see cref="BotCatalog.Changed"/> after the catalog has swapped.</summary>
internal sealed record BotChange(string BotId, BotChangeKind Kind, string? OldVersion, string? NewVersion);
