using System.Collections.Concurrent;

namespace KakaoFlow.Hosting.Payments;

/// <summary>
/// Refused registration forms per link, in this process. A card form is where stolen numbers get tested one after
/// another, so a link allows <see cref="MaxFailures"/> refused forms (typos happen) and is then spent. Entries are
/// dropped once their link has expired.
/// </summary>
internal sealed class RegistrationAttempts
{
    public const int MaxFailures = 5;

    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, (int Count, DateTimeOffset Expires)> _failures = new(StringComparer.Ordinal);

    public bool Exhausted(string tokenId) => _failures.TryGetValue(tokenId, out var failures) && failures.Count >= MaxFailures;

    public void Failed(string tokenId, DateTimeOffset expires, DateTimeOffset now)
    {
        if (_failures.Count > PruneAbove)
        {
            foreach (var (id, failures) in _failures)
            {
                if (failures.Expires <= now)
                {
                    _failures.TryRemove(id, out _);
                }
            }
        }

        _failures.AddOrUpdate(tokenId, static (_, expires) => (1, expires), static (_, old, expires) => (old.Count + 1, expires), expires);
    }
}
