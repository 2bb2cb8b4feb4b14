using Jint;
using Jint.Runtime.Descriptors;
using KakaoFlow.Hooks;

namespace KakaoFlow.Scripting;

/// <summary>
/// One engine of a program, built once and reused by its runs, one run at a time. Built: the blocking and unbounded
/// globals removed, the string-length guards installed (<see cref="BuiltinGuards"/>), every built-in frozen
/// (<see cref="Lockdown"/>), the host API registered as lazy globals that ask the current <see cref="HookRun"/> for
/// their values, and the global object captured. Every run sets its own limits (<see cref="Begin"/>), and
/// <see cref="TryReset"/> puts the global object back as captured: the run's globals, its <c>let</c>/<c>const</c>
/// declarations, the host API it materialised, the legacy <c>RegExp</c> statics and queued promise jobs are gone.
/// </summary>
/// <remarks>
/// What a run could change is the global object (put back), the built-ins (frozen) and the objects it was given
/// (made for that run only), so a later run sees nothing of it. An engine is never reset after a failed run (a limit
/// may have cut it anywhere); <see cref="JintScriptProgram"/> drops it instead.
/// </remarks>
internal sealed class SandboxEngine : IDisposable
{
    /// <summary>Runs after which an engine is replaced, even when all went well.</summary>
    internal const int MaxRuns = 10_000;

    /// <summary>
    /// Bytes its runs may allocate in all before an engine is replaced: what an engine can have kept (its symbol
    /// registry, Jint's caches) is at most what its runs allocated, so this bounds its growth.
    /// </summary>
    internal const long MaxAllocatedBytes = 64L * 1024 * 1024;

    /// <summary>Globals that can block a thread or allocate outside the memory limit; hooks have no use for them.</summary>
    private static readonly string[] RemovedGlobals =
    [
        "Atomics", "SharedArrayBuffer", "ArrayBuffer", "DataView",
        "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
        "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
        "ShadowRealm", "WeakRef", "FinalizationRegistry",
    ];

    private readonly SandboxLimits _limits;
    private readonly RunDeadline _deadline = new();
    private readonly RunMemory? _memory;
    private readonly SeoulClock.TimeSystem _clock = new();
    private readonly GlobalSnapshot _clean;
    private HookRun? _run;
    private int _runs;
    private long _runStart;
    private long _allocated;

    public SandboxEngine(SandboxLimits limits)
    {
        _limits = limits;
        _memory = limits.MemoryBytes < long.MaxValue ? new RunMemory(limits.MemoryBytes) : null;
        Engine = new Engine(options =>
        {
            options.Strict();
            options.DisableStringCompilation();
            options.Constraint(_deadline);
            options.MaxStatements(limits.MaxStatements);
            if (_memory is not null)
            {
                options.Constraint(_memory);
            }

            options.LimitRecursion(limits.MaxRecursion);
            options.MaxArraySize(SandboxLimits.MaxArraySize);
            options.Constraints.RegexTimeout = limits.RegexTimeout;
            options.Constraints.PromiseTimeout = limits.Timeout;

            // Recursion that reaches a function by another route than a call (getters, toString, callbacks of
            // built-ins) is not counted by LimitRecursion; without the guard it would overflow the native stack
            // and end the process.
            options.Constraints.StackOverflowGuard = true;
            options.TimeSystem = _clock;
            options.TimeZone = SeoulClock.Zone;
        });

        foreach (var name in RemovedGlobals)
        {
            Engine.Global.Delete(name);
        }

        new BuiltinGuards(Engine).Install();
        _memory?.Start();
        Lockdown.Apply(Engine);
        foreach (var name in HookRun.LazyGlobalNames)
        {
            Engine.Advanced.AddLazyGlobal(name, _ => (_run ?? throw new InvalidOperationException("No run is using this engine.")).Global(name), PropertyFlag.None);
        }

        _clean = Engine.Advanced.CaptureGlobalSnapshot();
    }

    public Engine Engine { get; }

    /// <summary>Starts <paramref name="run"/>: its clock, its deadline and cancellation, its memory budget, its host API.</summary>
    public void Begin(HookRun run, HookContext context)
    {
        _run = run;
        _runs++;
        _clock.Now = context.Now;
        _deadline.Start(_limits.Timeout, context.Cancellation);
        _memory?.Start();
        _runStart = GC.GetAllocatedBytesForCurrentThread();
    }

    /// <summary>
    /// After a run that ended without error: puts the global object back as it was built. False when the engine
    /// should not serve another run (worn out, or the reset was refused); drop it then.
    /// </summary>
    public bool TryReset()
    {
        _run = null;
        _allocated += GC.GetAllocatedBytesForCurrentThread() - _runStart;
        if (_runs >= MaxRuns || _allocated >= MaxAllocatedBytes)
        {
            return false;
        }

        try
        {
            Engine.Advanced.RestoreGlobalSnapshot(_clean);
            return true;
        }
#pragma warning disable CA1031 // An engine that cannot be put back is dropped; the run it served has its outcome already.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    public void Dispose()
    {
        _run = null;
        Engine.Dispose();
    }
}
