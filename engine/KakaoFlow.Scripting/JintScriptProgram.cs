using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Jint;
using Jint.Native;
using Jint.Runtime;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Model;

namespace KakaoFlow.Scripting;

/// <summary>
/// All the scripts of one flow version. Immutable after <see cref="JintProgramBuilder.Build"/>: the prepared
/// scripts are shared, and every <see cref="Run"/> takes an engine of its own from the program's pool (reused
/// engines, see <see cref="SandboxEngine"/>), so turns run in parallel safely.
/// </summary>
internal sealed partial class JintScriptProgram(
    string botId,
    SandboxLimits limits,
    ImmutableArray<JintPreparedScript> shared,
    IReadOnlyDictionary<string, ContentOrigin> origins,
    object owner) : IScriptProgram
{
    private readonly EnginePool _engines = new(() => new SandboxEngine(limits));

    /// <summary>The bot the program was compiled for; <c>data</c> and <c>log</c> use it, so a hook can reach no other bot's data.</summary>
    public string BotId { get; } = botId;
    public SandboxLimits Limits { get; } = limits;

    /// <summary>Engines built for this program so far: one per run at a time, more after failures and wear.</summary>
    internal int EnginesCreated => _engines.Created;

    public HookOutcome Run(PreparedScript script, HookContext context)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(context);
        if (script is not JintPreparedScript prepared || !ReferenceEquals(prepared.Owner, owner) || prepared.Kind == ScriptKind.Shared)
        {
            throw new ArgumentException("This hook or check was not prepared by this program.", nameof(script));
        }

        if (context.Cancellation.IsCancellationRequested)
        {
            return HookOutcome.Failed(context.Vars, new HookFailure(HookFailureKind.Timeout, Format(ScriptMessages.Cancelled), prepared.Location));
        }

        SandboxEngine? sandbox = null;
        var clean = false;
        try
        {
            sandbox = _engines.Rent();
            var engine = sandbox.Engine;
            var run = new HookRun(this, prepared, context, engine);
            sandbox.Begin(run, context);
            run.Install();
            foreach (var library in shared)
            {
                engine.Execute(library.Prepared);
            }

            var outcome = run.Finish(engine.Evaluate(prepared.Prepared));
            clean = true;
            return outcome;
        }
#pragma warning disable CA1031 // A hook must never take the host down: every failure becomes data.
        catch (Exception ex)
        {
            HookFailure failure;
            try
            {
                failure = Describe(ex, prepared, sandbox?.Engine);
            }
            catch (Exception)
            {
                failure = new HookFailure(HookFailureKind.ScriptError, ex.Message, prepared.Location);
            }
#pragma warning restore CA1031

            // A script can throw a message of any size (or one built from a file's text): keep an excerpt.
            return HookOutcome.Failed(context.Vars, failure with { Message = Excerpt.Cut(failure.Message, Excerpt.MessageBytes) });
        }
        finally
        {
            // A run that failed may have been cut anywhere (a limit mid-statement): its engine is never reused.
            if (sandbox is not null)
            {
                if (clean && sandbox.TryReset())
                {
                    _engines.Return(sandbox);
                }
                else
                {
                    sandbox.Dispose();
                }
            }
        }
    }

    /// <summary>Where a 1-based line and column of a script (named as Jint reports it) is in the flow or .js file.</summary>
    internal SourceSpan Map(string? sourceName, int line, int column, SourceSpan fallback) =>
        sourceName is not null && origins.TryGetValue(sourceName, out var origin) ? origin.Map(line, column) : fallback;

    /// <summary>The statement running right now (top of Jint's stack trace), mapped; the script's start otherwise.</summary>
    internal SourceSpan CurrentLocation(Engine? engine, SourceSpan fallback)
    {
        Match match;
        try
        {
            match = StackFrame().Match(engine?.Advanced.StackTrace ?? "");
        }
#pragma warning disable CA1031 // best effort: a location is a nicety, never a reason to fail
        catch (Exception)
#pragma warning restore CA1031
        {
            return fallback;
        }

        return match.Success
            ? Map(match.Groups["src"].Value, int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["col"].Value, CultureInfo.InvariantCulture), fallback)
            : fallback;
    }

    private HookFailure Describe(Exception ex, JintPreparedScript script, Engine? engine)
    {
        var at = script.Location;
        switch (ex)
        {
            case JavaScriptException js:
                var location = js.Location;
                var span = location.SourceFile is { } file
                    ? Map(file, location.Start.Line, location.Start.Column + 1, at)
                    : CurrentLocation(engine, at);
                var message = ErrorText(js);
                var kind = message.EndsWith("Maximum call stack size exceeded", StringComparison.Ordinal) ? HookFailureKind.Limit : HookFailureKind.ScriptError;
                return new HookFailure(kind, message, span);

            case RegexMatchTimeoutException:
                return new HookFailure(HookFailureKind.Timeout, Format(ScriptMessages.RegexTimeout, (long)Limits.RegexTimeout.TotalMilliseconds), CurrentLocation(engine, at));

            case TimeoutException:
                return new HookFailure(HookFailureKind.Timeout, Format(ScriptMessages.Timeout, (long)Limits.Timeout.TotalMilliseconds), CurrentLocation(engine, at));

            case ExecutionCanceledException or OperationCanceledException:
                return new HookFailure(HookFailureKind.Timeout, Format(ScriptMessages.Cancelled), CurrentLocation(engine, at));

            case StatementsCountOverflowException:
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.Statements, Limits.MaxStatements), CurrentLocation(engine, at));

            case RecursionDepthOverflowException recursion:
                var callee = string.IsNullOrEmpty(recursion.CallExpressionReference) ? "" : Format(ScriptMessages.RecursionIn, recursion.CallExpressionReference);
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.Recursion, Limits.MaxRecursion, callee), CurrentLocation(engine, at));

            case MemoryLimitExceededException memory:
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.Memory, memory.Message), CurrentLocation(engine, at));

            case SandboxLimitException limit:
                return new HookFailure(HookFailureKind.Limit, limit.Message, CurrentLocation(engine, at));

            case InsufficientExecutionStackException stack:
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.Stack, stack.Message), at);

            case OutOfMemoryException:
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.OutOfMemory), at);

            case JintException jint:
                return new HookFailure(HookFailureKind.ScriptError, jint.Message, CurrentLocation(engine, at));

            default:
                if (ex.InnerException is { } inner && inner is RegexMatchTimeoutException or TimeoutException or JintException)
                {
                    return Describe(inner, script, engine);
                }

                return new HookFailure(HookFailureKind.ScriptError, Format(ScriptMessages.Internal, ex.Message), at);
        }
    }

    /// <summary><c>TypeError: message</c> for an Error, the thrown value's text otherwise; never runs script code.</summary>
    private static string ErrorText(JavaScriptException js)
    {
        try
        {
            if (js.Error is Jint.Native.Object.ObjectInstance error && error.Get("name") is JsString name && js.Message.Length > 0)
            {
                return $"{name}: {js.Message}";
            }
        }
#pragma warning disable CA1031 // a getter on a thrown object may throw or time out; the plain message will do
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return js.Message;
    }

    private static string Format(string format, params object?[] args) => MessageText.Format(format, args);

    [GeneratedRegex(@"^\s*at (?:[^\r\n(]*\()?(?<src>[a-z]+\d+):(?<line>\d+):(?<col>\d+)\)?\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex StackFrame();
}
