using System.Collections.Concurrent;
using System.Globalization;
using Acornima;
using Acornima.Ast;
using Jint;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Model;

namespace KakaoFlow.Scripting;

/// <summary>Parses the scripts of one flow version at compile time; not thread-safe (the compiler is single-threaded).</summary>
internal sealed class JintProgramBuilder(string botId, SandboxLimits limits) : IScriptProgramBuilder
{
    private static readonly ConcurrentDictionary<(TimeSpan Regex, bool AllowReturn), ScriptPreparationOptions> PreparationOptions = new();

    private readonly List<JintPreparedScript> _shared = [];
    private readonly Dictionary<string, ContentOrigin> _origins = new(StringComparer.Ordinal);
    private int _count;
    private bool _built;

    public void AddSharedScript(SourceText script, DiagnosticBag diagnostics)
    {
        if (Prepare(script, ScriptKind.Shared, diagnostics) is { } prepared)
        {
            _shared.Add(prepared);
        }
    }

    public PreparedScript? AddHook(SourceText code, DiagnosticBag diagnostics) => Prepare(code, ScriptKind.Hook, diagnostics);

    public PreparedScript? AddCheck(SourceText expression, DiagnosticBag diagnostics) => Prepare(expression, ScriptKind.Check, diagnostics);

    public IScriptProgram Build()
    {
        _built = true;
        return new JintScriptProgram(botId, limits, [.. _shared], new Dictionary<string, ContentOrigin>(_origins, StringComparer.Ordinal), this);
    }

    private JintPreparedScript? Prepare(SourceText source, ScriptKind kind, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (_built)
        {
            throw new InvalidOperationException("The program is already built; add every script before calling Build.");
        }

        var name = kind switch
        {
            ScriptKind.Hook => "hook",
            ScriptKind.Check => "check",
            _ => "shared",
        } + (_count++).ToString(CultureInfo.InvariantCulture);

        Prepared<Script> prepared;
        try
        {
            var options = PreparationOptions.GetOrAdd((limits.RegexTimeout, kind == ScriptKind.Hook), static key => new ScriptPreparationOptions
            {
                ParsingOptions = new ScriptParsingOptions
                {
                    RegexTimeout = key.Regex,
                    AllowReturnOutsideFunction = key.AllowReturn,
                },
            });
            prepared = Engine.PrepareScript(source.Text, name, strict: true, options);
        }
        catch (ScriptPreparationException ex) when (ex.InnerException is ParseErrorException error)
        {
            // Acornima: 1-based line, 0-based column.
            diagnostics.Report(DiagnosticCodes.ScriptSyntax, source.Origin.Map(error.LineNumber, error.Column + 1), error.Description);
            return null;
        }
        catch (ScriptPreparationException ex)
        {
            diagnostics.Report(DiagnosticCodes.ScriptSyntax, source.Span, ex.InnerException?.Message ?? ex.Message);
            return null;
        }

        if (kind == ScriptKind.Check && !IsSingleExpression(prepared.Program!, out var at))
        {
            var position = at?.Location.Start ?? Position.From(1, 0);
            diagnostics.Report(DiagnosticCodes.ScriptSyntax, source.Origin.Map(position.Line, position.Column + 1), MessageText.Format(ScriptMessages.CheckNotExpression));
            return null;
        }

        if (FindHostNameDeclaration(prepared.Program!, kind) is { } clash)
        {
            var position = clash.Location.Start;
            diagnostics.Report(DiagnosticCodes.ScriptSyntax, source.Origin.Map(position.Line, position.Column + 1), MessageText.Format(ScriptMessages.HostNameTaken, clash.Name));
            return null;
        }

        _origins[name] = source.Origin;
        return new JintPreparedScript(source, kind, name, prepared, this);
    }

    /// <summary>
    /// A top-level declaration named like a host global (<c>let say = ...</c>) would fail every run with
    /// "already declared"; report it once, at check time. <c>value</c> exists only in checks, so a hook may use it.
    /// </summary>
    private static Identifier? FindHostNameDeclaration(Script program, ScriptKind kind)
    {
        foreach (var statement in program.Body)
        {
            IEnumerable<Identifier?> names = statement switch
            {
                VariableDeclaration declaration => declaration.Declarations.Select(d => d.Id as Identifier),
                FunctionDeclaration function => [function.Id],
                ClassDeclaration type => [type.Id],
                _ => [],
            };

            foreach (var identifier in names)
            {
                if (identifier is not null && HookRun.GlobalNames.Contains(identifier.Name) && (kind != ScriptKind.Hook || identifier.Name != "value"))
                {
                    return identifier;
                }
            }
        }

        return null;
    }

    /// <summary>A check is one expression (<c>value.length &gt;= 5</c>), not statements.</summary>
    private static bool IsSingleExpression(Script program, out Node? offending)
    {
        var body = program.Body;
        if (body.Count == 1 && body[0] is ExpressionStatement)
        {
            offending = null;
            return true;
        }

        offending = body.Count == 0 ? null : body.FirstOrDefault(s => s is not ExpressionStatement) ?? body[1];
        return false;
    }
}
