namespace KakaoFlow.Storage;

/// <summary>
/// A fixed set of locks that a key is mapped to by its hash, for stores that make a read-modify-write of one key
/// (<see cref="IBotDataStore.Update"/>) atomic within one process: two updates of one key never interleave, updates of
/// different keys rarely wait for each other, and the memory used does not grow with the number of keys.
/// </summary>
public sealed class KeyStripes
{
    private readonly Lock[] _locks;

    /// <param name="count">How many locks; more means fewer unrelated keys waiting for each other.</param>
    public KeyStripes(int count = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _locks = new Lock[count];
        for (var i = 0; i < count; i++)
        {
            _locks[i] = new Lock();
        }
    }

    /// <summary>The lock of a bot's key (the same one every time, in this instance).</summary>
    public Lock For(string botId, string key)
    {
        var hash = HashCode.Combine(StringComparer.Ordinal.GetHashCode(botId), StringComparer.Ordinal.GetHashCode(key));
        return _locks[(int)((uint)hash % (uint)_locks.Length)];
    }
}
