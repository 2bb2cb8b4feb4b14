using System.Collections.Frozen;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

/// <summary>
/// The bots being served: every subfolder of the flows folder that holds a <c>flow.yaml</c> and compiles
/// without errors. Built once at start-up; immutable afterwards.
/// </summary>
internal sealed class BotCatalog
{
    private readonly FrozenDictionary<string, CompiledFlow> _flows;

    private BotCatalog(FrozenDictionary<string, CompiledFlow> flows, IReadOnlyList<string> refused)
    {
        _flows = flows;
        Refused = refused;
    }

    public IEnumerable<CompiledFlow> Flows => _flows.Values;

    /// <summary>Bot ids found but not served (compile errors or an unreadable folder).</summary>
    public IReadOnlyList<string> Refused { get; }

    public CompiledFlow? Find(string botId) => _flows.GetValueOrDefault(botId);

    public static BotCatalog Load(string flowsDirectory, FlowCompiler compiler, ILogger logger)
    {
        var flows = new Dictionary<string, CompiledFlow>(StringComparer.Ordinal);
        var refused = new List<string>();
        if (!Directory.Exists(flowsDirectory))
        {
            Log.FlowsFolderMissing(logger, flowsDirectory);
            return new BotCatalog(flows.ToFrozenDictionary(StringComparer.Ordinal), refused);
        }

        var folders = Directory.GetDirectories(flowsDirectory)
            .Where(folder => File.Exists(Path.Combine(folder, FlowSource.FlowFileName)))
            .Order(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            var botId = Path.GetFileName(folder);
            if (botId.Any(char.IsControl))
            {
                continue;
            }

            var flow = Compile(folder, botId, compiler, logger);
            if (flow is null)
            {
                refused.Add(botId);
                continue;
            }

            flows[botId] = flow;
            Log.BotLoaded(logger, botId, flow.Name, flow.Version);
        }

        return new BotCatalog(flows.ToFrozenDictionary(StringComparer.Ordinal), refused);
    }

    private static CompiledFlow? Compile(string folder, string botId, FlowCompiler compiler, ILogger logger)
    {
        FlowCompilation compilation;
        try
        {
            compilation = compiler.Compile(FlowSource.FromDisk(folder));
        }
#pragma warning disable CA1031 // One broken bot (unreadable file, compiler bug) must not stop the others from being served.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.BotCrashedCompiler(logger, botId, e);
            return null;
        }

        var errors = 0;
        foreach (var diagnostic in compilation.Diagnostics)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                errors++;
                Log.CompileError(logger, diagnostic.Format());
            }
            else
            {
                Log.CompileWarning(logger, diagnostic.Format());
            }
        }

        if (compilation.Flow is not { } flow || errors > 0)
        {
            Log.BotNotServed(logger, botId, errors);
            return null;
        }

        return flow;
    }
}
