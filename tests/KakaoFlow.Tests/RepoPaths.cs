namespace KakaoFlow.Tests;

/// <summary>Finds files of the repository (samples, schemas) from the test's output folder.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding KakaoFlow.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string Schema(string fileName) => Path.Combine(Root, "schema", fileName);

    /// <summary>Every <c>flows/*/flow.yaml</c>, sorted, as paths relative to the repository root.</summary>
    public static IReadOnlyList<string> SampleFlows() =>
        [.. Directory.GetDirectories(Path.Combine(Root, "flows"))
            .Select(folder => Path.Combine(folder, "flow.yaml"))
            .Where(File.Exists)
            .Select(path => Path.GetRelativePath(Root, path))
            .Order(StringComparer.Ordinal)];

    public static string Full(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KakaoFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no KakaoFlow.sln above {AppContext.BaseDirectory}");
    }
}
