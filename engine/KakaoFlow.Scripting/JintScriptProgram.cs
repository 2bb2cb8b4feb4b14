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
/// scripts are shared, and every <see cref="Run"/> builds its own engine, so turns run in parallel safely.
/// </summary>
internal sealed partial class JintScriptProgram(
    string botId,
    SandboxLimits limits,
    ImmutableArray<JintPreparedScript> shared,
    IReadOnlyDictionary<string, ContentOrigin> origins,
    object owner) : IScriptProgram
{
    /// <summary>Globals that can block a thread or allocate outside the memory limit; hooks have no use for them.</summary>
    private static readonly string[] RemovedGlobals =
    [
        "Atomics", "SharedArrayBuffer", "ArrayBuffer", "DataView",
        "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
        "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
        "ShadowRealm", "WeakRef", "FinalizationRegistry",
    ];

    /// <summary>The bot the program was compiled for; <c>data</c> and <c>log</c> use it, so a hook can reach no other bot's data.</summary>
    public string BotId { get; } = botId;
    public SandboxLimits Limits { get; } = limits;

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
            return HookOutcome.Failed(context.Vars, new HookFailure(HookFailureKind.Timeout, ScriptMessages.Cancelled, prepared.Location));
        }

        var deadline = RunDeadline.After(Limits.Timeout);
        Engine? engine = null;
        try
        {
            engine = CreateEngine(deadline, context);
            var run = new HookRun(this, prepared, context, engine);
            run.Install();
            foreach (var library in shared)
            {
                engine.Execute(library.Prepared);
            }

            var completion = engine.Evaluate(prepared.Prepared);
            return run.Finish(completion);
        }
#pragma warning disable CA1031 // A hook must never take the host down: every failure becomes data.
        catch (Exception ex)
        {
            HookFailure failure;
            try
            {
                failure = Describe(ex, prepared, engine);
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
            engine?.Dispose();
        }
    }

    private Engine CreateEngine(RunDeadline deadline, HookContext context)
    {
        var engine = new Engine(options =>
        {
            options.Strict();
            options.DisableStringCompilation();
            options.Constraint(deadline);
            if (context.Cancellation.CanBeCanceled)
            {
                options.CancellationToken(context.Cancellation);
            }

            options.MaxStatements(Limits.MaxStatements);
            if (Limits.MemoryBytes < long.MaxValue)
            {
                options.Constraint(new RunMemory(Limits.MemoryBytes));
            }

            options.LimitRecursion(Limits.MaxRecursion);
            options.MaxArraySize(SandboxLimits.MaxArraySize);
            options.Constraints.RegexTimeout = Limits.RegexTimeout;
            options.Constraints.PromiseTimeout = Limits.Timeout;

            // Recursion that reaches a function by another route than a call (getters, toString, callbacks of
            // built-ins) is not counted by LimitRecursion; without the guard it would overflow the native stack
            // and end the process.
            options.Constraints.StackOverflowGuard = true;
            options.TimeSystem = new SeoulClock.TimeSystem(context.Now);
            options.TimeZone = SeoulClock.Zone;
        });

        var global = engine.Global;
        foreach (var name in RemovedGlobals)
        {
            global.Delete(name);
        }

        return engine;
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
                return new HookFailure(HookFailureKind.Timeout, ScriptMessages.Cancelled, CurrentLocation(engine, at));

            case StatementsCountOverflowException:
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.Statements, Limits.MaxStatements), CurrentLocation(engine, at));

            case RecursionDepthOverflowException recursion:
                var callee = string.IsNullOrEmpty(recursion.CallExpressionReference) ? "" : $" (in {recursion.CallExpressionReference})";
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.Recursion, Limits.MaxRecursion, callee), CurrentLocation(engine, at));

            case MemoryLimitExceededException memory:
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.Memory, memory.Message), CurrentLocation(engine, at));

            case SandboxLimitException limit:
                return new HookFailure(HookFailureKind.Limit, limit.Message, CurrentLocation(engine, at));

            case InsufficientExecutionStackException stack:
                return new HookFailure(HookFailureKind.Limit, Format(ScriptMessages.Stack, stack.Message), at);

            case OutOfMemoryException:
                return new HookFailure(HookFailureKind.Limit, ScriptMessages.OutOfMemory, at);

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

    private static string Format(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    [GeneratedRegex(@"^\s*at (?:[^\r\n(]*\()?(?<src>[a-z]+\d+):(?<line>\d+):(?<col>\d+)\)?\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex StackFrame();
}
