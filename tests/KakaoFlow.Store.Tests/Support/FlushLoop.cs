namespace KakaoFlow.Store.Tests.Support;

/// <summary>A flush run again and again on a task of its own, racing the test's writes, until stopped.</summary>
internal static class FlushLoop
{
    /// <returns>How many flushes ran.</returns>
    public static Task<int> Run(Action flush, CancellationToken stop) => Task.Run(() =>
    {
        var flushes = 0;
        while (!stop.IsCancellationRequested)
        {
            flush();
            flushes++;
        }

        return flushes;
    });
}
