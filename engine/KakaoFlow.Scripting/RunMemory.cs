using System.Globalization;
using Jint;
using Jint.Runtime;
using KakaoFlow.Hooks;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Scripting;

/// <summary>
/// The allocation limit of one whole run. Jint's <c>LimitMemory</c> starts counting again on every
/// <c>Execute</c>, so shared scripts and the hook would each get the full amount; this one counts from
/// <see cref="Start"/>, called when a run starts. It reads the bytes allocated on the current thread: a run stays on
/// one thread (a reused engine may serve its next run on another, which starts counting afresh).
/// </summary>
internal sealed class RunMemory(long limitBytes) : Constraint
{
    private long _start = GC.GetAllocatedBytesForCurrentThread();

    /// <summary>Bytes this thread allocated since <see cref="Start"/>: the run's, the host's work for it included.</summary>
    public long Used => GC.GetAllocatedBytesForCurrentThread() - _start;

    public void Start() => _start = GC.GetAllocatedBytesForCurrentThread();

    public override void Check()
    {
        var used = Used;
        if (used > limitBytes)
        {
            throw new MemoryLimitExceededException(MessageText.Format(ScriptMessages.MemoryUsed, used, limitBytes));
        }
    }

    public override void Reset()
    {
        // Deliberately nothing: the budget belongs to the run, not to one Execute call.
    }
}
