using Microsoft.Extensions.Logging;

namespace KakaoFlow.Store.Tests.Support;

/// <summary>The store's log lines, kept for a test to look at.</summary>
internal sealed class CapturingLogger : ILogger<LiteDbStore>
{
    private readonly List<(LogLevel, string, Exception?)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == StoreLog.SizedForMemoryEvent)
        {
            return; // logged at open on a machine or container with less than 1 GiB for the GC: not what these tests count
        }

        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception), exception));
        }
    }
}
