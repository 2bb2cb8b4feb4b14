namespace KakaoFlow.Store;

/// <summary>
/// The users that may have a session in the backing store, as a Bloom filter: <see cref="MightContain"/> is never false
/// for a user added, and is false for about 1 % of the others while no more than <see cref="Capacity"/> users were added
/// (more raise that share; the answer stays safe). Lets a user's first turn skip the backing store's read that would
/// find nothing — on LiteDB a query costing tens of microseconds and about 40 KB of garbage, for every new user.
/// </summary>
/// <remarks>Safe for any number of threads adding and reading at once (a bit once set is never cleared).</remarks>
internal sealed class SessionKeyFilter
{
    private const int BitsPerUser = 10;
    private const int Probes = 7; // optimal for 10 bits per user: about 0.8 % false positives

    private readonly long[] _words;
    private readonly ulong _bits;

    /// <param name="capacity">Users the filter holds at its stated accuracy.</param>
    public SessionKeyFilter(long capacity)
    {
        Capacity = Math.Max(capacity, 1024);
        _words = new long[(Capacity * BitsPerUser + 63) / 64];
        _bits = (ulong)_words.Length * 64;
    }

    /// <summary>Users the filter holds at its stated accuracy; it is sized when the store opens.</summary>
    public long Capacity { get; }

    /// <summary>Notes that the user of <paramref name="botId"/> may have a session from now on.</summary>
    /// <returns>What <see cref="MightContain"/> said of the user just before (in the same pass over the bits).</returns>
    public bool Add(string botId, string userKey) => Add(Hash(botId, userKey));

    /// <summary>Notes the session of a stored id (<see cref="StoreNames.IdOf"/>: bot, separator, user key).</summary>
    public void AddId(string id) => Add(Hash(id));

    public bool MightContain(string botId, string userKey)
    {
        var (first, step) = Split(Hash(botId, userKey));
        for (var i = 0; i < Probes; i++)
        {
            var bit = (first + (ulong)i * step) % _bits;
            if ((Volatile.Read(ref _words[bit >> 6]) & (1L << (int)(bit & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private bool Add(ulong hash)
    {
        var (first, step) = Split(hash);
        var wasThere = true;
        for (var i = 0; i < Probes; i++)
        {
            var bit = (first + (ulong)i * step) % _bits;
            var mask = 1L << (int)(bit & 63);
            if ((Volatile.Read(ref _words[bit >> 6]) & mask) == 0)
            {
                wasThere = false;
                Interlocked.Or(ref _words[bit >> 6], mask);
            }
        }

        return wasThere;
    }

    /// <summary>Two probe positions from one 64-bit hash (double hashing); the step is odd, so it never repeats a bit early.</summary>
    private static (ulong First, ulong Step) Split(ulong hash) => (hash, Mix(hash ^ 0x9E3779B97F4A7C15UL) | 1);

    // FNV-1a over the UTF-16 code units of bot, separator and user key: the same value as over the stored id.
    private static ulong Hash(string botId, string userKey)
    {
        var hash = Fnv(14695981039346656037UL, botId);
        hash = Fnv(hash, StoreNames.Separator);
        return Mix(Fnv(hash, userKey));
    }

    private static ulong Hash(string id) => Mix(Fnv(14695981039346656037UL, id));

    private static ulong Fnv(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = Fnv(hash, c);
        }

        return hash;
    }

    private static ulong Fnv(ulong hash, char c) => (hash ^ c) * 1099511628211UL;

    // SplitMix64's finaliser: spreads FNV's weak low bits over the whole word.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
