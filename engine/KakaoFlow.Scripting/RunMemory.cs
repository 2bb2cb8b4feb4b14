using System.Globalization;
using Jint;
using Jint.Runtime;
using KakaoFlow.Hooks;

namespace KakaoFlow.Scripting;

/// <summary>
/// The allocation limit of one whole run. Jint's <c>LimitMemory</c> starts counting again on every
/// <c>Execute</c>, so shared scripts and the hook would each get the full amount; this one counts from the start
/// of the run. It reads the bytes allocated on the current thread: a run stays on one thread.
/// </summary>
internal sealed class RunMemory(long limitBytes) : Constraint
{
    private readonly long _start = GC.GetAllocatedBytesForCurrentThread();

    public override void Check()
    {
        var used = GC.GetAllocatedBytesForCurrentThread() - _start;
        if (used > limitBytes)
        {
            throw new MemoryLimitExceededException(string.Format(CultureInfo.InvariantCulture, "allocated {0} bytes, the limit is {1}", used, limitBytes));
        }
    }

    public override void Reset()
    {
        // Deliberately nothing: the budget belongs to the run, not to one Execute call.
    }
}
