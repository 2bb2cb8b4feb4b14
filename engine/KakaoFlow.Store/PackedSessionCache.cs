using System.Collections.Concurrent;

namespace KakaoFlow.Store;

/// <summary>
/// The second level of the session cache: clean sessions that left the object cache, kept as their journal record (a
/// few hundred bytes of UTF-8 JSON, <see cref="SessionRecord"/>) up to a budget of bytes, least recently used dropped
/// first. A session held as objects costs a few KB (every variable is a <see cref="System.Text.Json.JsonElement"/> with a
/// document of its own); as a record, a tenth of that, and reading it back costs a few µs where a LiteDB read costs
/// tens (its query pipeline, page reads and BSON decoding).
/// </summary>
/// <remarks>
/// Holds only sessions that are current in the backing store (the owner puts a session here when it drops it, clean,
/// from its object cache, and takes it out when it reads it), so a record here is never newer or older than LiteDB's.
/// Thread-safe; <see cref="Trim"/> runs on one thread at a time (under its owner's trim gate).
/// </remarks>
/// <typeparam name="TKey">The user's key.</typeparam>
internal sealed class PackedSessionCache<TKey>(long capacityBytes, Func<TKey, int> keyBytes)
    where TKey : notnull
{
    /// <summary>What an entry costs besides its record and key: the dictionary node, the entry, the array's header.</summary>
    private const int Overhead = 120;

    private readonly ConcurrentDictionary<TKey, Packed> _items = new(concurrencyLevel: 64, capacity: 1024);
    private long _bytes;

    public int Count => _items.Count;

    /// <summary>The estimated memory held, in bytes.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Takes the user's record out, if it is here.</summary>
    public bool TryTake(TKey key, out byte[] record)
    {
        if (_items.TryRemove(key, out var packed))
        {
            Interlocked.Add(ref _bytes, -packed.Size);
            record = packed.Record;
            return true;
        }

        record = [];
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="record"/> as the user's clean session, last used at <paramref name="touched"/>, whose last
    /// message was at <paramref name="lastMessageAt"/> (for <see cref="RemoveInactive"/>).
    /// </summary>
    public void Put(TKey key, byte[] record, long touched, DateTimeOffset? lastMessageAt)
    {
        if (capacityBytes <= 0)
        {
            return;
        }

        var packed = new Packed(record, touched, record.Length + keyBytes(key) + Overhead, lastMessageAt?.UtcTicks ?? long.MinValue);
        Interlocked.Add(ref _bytes, packed.Size);
        _items.AddOrUpdate(
            key,
            packed,
            (_, old) =>
            {
                Interlocked.Add(ref _bytes, -old.Size);
                return packed;
            });
    }

    public void Remove(TKey key)
    {
        if (_items.TryRemove(key, out var packed))
        {
            Interlocked.Add(ref _bytes, -packed.Size);
        }
    }

    /// <summary>Removes the sessions of <paramref name="match"/>ing users whose last message was before <paramref name="cutoff"/>, or never.</summary>
    public void RemoveInactive(Func<TKey, bool> match, DateTimeOffset cutoff)
    {
        foreach (var (key, packed) in _items)
        {
            if (packed.LastMessageAt < cutoff.UtcTicks && match(key) && _items.TryRemove(KeyValuePair.Create(key, packed)))
            {
                Interlocked.Add(ref _bytes, -packed.Size);
            }
        }
    }

    /// <summary>Drops the least recently used records until the cache is within its budget, with a tenth to spare.</summary>
    public void Trim()
    {
        var excess = Bytes - capacityBytes;
        if (excess <= 0)
        {
            return;
        }

        var byAge = _items.Select(item => (item.Value.Touched, item.Key)).ToArray();
        Array.Sort(byAge, (a, b) => a.Touched.CompareTo(b.Touched));
        var toFree = excess + (capacityBytes / 10);
        foreach (var (_, key) in byAge)
        {
            if (toFree <= 0)
            {
                break;
            }

            if (_items.TryRemove(key, out var packed))
            {
                Interlocked.Add(ref _bytes, -packed.Size);
                toFree -= packed.Size;
            }
        }
    }

    private sealed record Packed(byte[] Record, long Touched, int Size, long LastMessageAt);
}
