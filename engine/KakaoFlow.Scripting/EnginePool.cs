namespace KakaoFlow.Scripting;

/// <summary>
/// The idle engines of one program: at most one per processor (more turns at once build more engines, and the extra
/// ones are dropped when they come back). An engine is in the pool or used by one run, never both: an
/// <see cref="Jint.Engine"/> is not thread-safe.
/// </summary>
internal sealed class EnginePool(Func<SandboxEngine> create)
{
    private readonly SandboxEngine?[] _idle = new SandboxEngine?[Math.Max(2, Environment.ProcessorCount)];
    private int _created;

    /// <summary>Engines built so far (tests use it to see reuse and replacement).</summary>
    public int Created => Volatile.Read(ref _created);

    public SandboxEngine Rent()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.Exchange(ref _idle[i], null) is { } engine)
            {
                return engine;
            }
        }

        Interlocked.Increment(ref _created);
        return create();
    }

    /// <summary>Gives back an engine that is ready for another run; one the pool has no room for is dropped.</summary>
    public void Return(SandboxEngine engine)
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _idle[i], engine, null) is null)
            {
                return;
            }
        }

        engine.Dispose();
    }
}
