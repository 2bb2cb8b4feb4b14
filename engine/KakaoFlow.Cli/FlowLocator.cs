using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Cli;

/// <summary>Finds flow files from what a user names on the command line.</summary>
public static class FlowLocator
{
    /// <summary>A flow.yaml, a bot folder, or a folder of bot folders → the flow files; null when it is none of these.</summary>
    public static IReadOnlyList<string>? Find(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (!Directory.Exists(path))
        {
            return null;
        }

        var own = Path.Combine(path, FlowSource.FlowFileName);
        if (File.Exists(own))
        {
            return [own];
        }

        var bots = Directory.GetDirectories(path)
            .Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, FlowSource.FlowFileName))
            .Where(File.Exists)
            .ToList();
        return bots.Count > 0 ? bots : null;
    }

    /// <summary>Compiles a flow file from disk; a file that cannot be read is a diagnostic, not an exception.</summary>
    public static FlowCompilation Compile(FlowCompiler compiler, string flowFile)
    {
        FlowSource source;
        try
        {
            source = FlowSource.FromDisk(flowFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new FlowCompilation(null, [FlowSource.Unreadable(flowFile, ex)]);
        }

        return compiler.Compile(source);
    }
}
