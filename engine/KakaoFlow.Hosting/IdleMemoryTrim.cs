using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting;

/// <summary>
/// Gives back to the OS the memory the .NET garbage collector kept after a busy spell, once the host is quiet: every
/// <see cref="KakaoFlowOptions.IdleTrimAfter"/> it looks whether a turn started since its last look; after a look with
/// none, if turns came since the last trim and the collector holds <see cref="WorthTrimming"/> or more beyond its
/// live objects, it runs one full compacting collection.
/// </summary>
/// <remarks>
/// The collector grows its heap for a rush (a million new users in a minute: 600–700 MB) and keeps it, a third of it live,
/// as long as nothing makes it compact; an idle host allocates nothing, so nothing does. A compacting collection of such a
/// heap blocks every thread for a few hundred ms, so it runs only when no user has been waiting for a reply for a while.
/// </remarks>
internal sealed class IdleMemoryTrim(ConversationService conversations, IOptions<KakaoFlowOptions> settings, TimeProvider clock, HostingSeams seams, ILogger<IdleMemoryTrim> logger)
    : BackgroundService
{
    /// <summary>Less than this held beyond the live objects is left alone: the young generation's room alone is tens of MB.</summary>
    public const long WorthTrimming = 64L * 1024 * 1024;

    private readonly IManagedMemory _memory = seams.Memory ?? GcMemory.Instance;
    private long _turnsAtLastLook = -1;
    private long _turnsAtLastTrim;
    private int _looks;
    private bool _watching;

    /// <summary>How many times the host looked (tests wait on it).</summary>
    public int Looks => Volatile.Read(ref _looks);

    /// <summary>
    /// Whether its timer runs (tests wait on it before they move the clock: the host's start returns before
    /// <see cref="ExecuteAsync"/> has necessarily made it, and a clock moved before that moves past it unseen).
    /// </summary>
    public bool Watching => Volatile.Read(ref _watching);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = settings.Value.IdleTrimAfter;
        if (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(period, clock);
        Volatile.Write(ref _watching, true);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Look();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Look()
    {
        var started = conversations.TurnsStarted;
        var quiet = started == _turnsAtLastLook;
        _turnsAtLastLook = started;
        if (quiet && started != _turnsAtLastTrim)
        {
            _turnsAtLastTrim = started; // once per quiet spell, whether it was worth it or not
            if (_memory.HeldBeyondLive >= WorthTrimming)
            {
                var before = _memory.Committed;
                var took = Stopwatch.StartNew();
                _memory.Compact();
                Log.MemoryTrimmed(logger, before >> 20, _memory.Committed >> 20, took.ElapsedMilliseconds);
            }
        }

        Interlocked.Increment(ref _looks);
    }
}

/// <summary>The process's garbage-collected memory, as <see cref="IdleMemoryTrim"/> sees it (tests give their own).</summary>
internal interface IManagedMemory
{
    /// <summary>Bytes the collector has from the OS.</summary>
    long Committed { get; }

    /// <summary>Bytes it has beyond the objects its last collection found live.</summary>
    long HeldBeyondLive { get; }

    /// <summary>A full, blocking, compacting collection that returns what it frees to the OS.</summary>
    void Compact();
}

internal sealed class GcMemory : IManagedMemory
{
    public static readonly GcMemory Instance = new();

    public long Committed => GC.GetGCMemoryInfo().TotalCommittedBytes;

    public long HeldBeyondLive
    {
        get
        {
            var info = GC.GetGCMemoryInfo();
            return info.TotalCommittedBytes - (info.HeapSizeBytes - info.FragmentedBytes);
        }
    }

    public void Compact()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
