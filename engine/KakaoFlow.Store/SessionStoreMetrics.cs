using System.Diagnostics.Metrics;

namespace KakaoFlow.Store;

/// <summary>
/// What the session store does, as .NET metrics on the meter <see cref="MeterName"/>: where reads were answered from,
/// writes, back-pressure waits, what the flusher wrote and how long it took, and what memory holds. Watched live with
/// <c>dotnet-counters monitor -n kakaoflow --counters KakaoFlow.Store</c> (docs/operations.md, "Metrics"). One meter
/// per store, disposed with it; an instrument nobody listens to costs a field read.
/// </summary>
internal sealed class SessionStoreMetrics : IDisposable
{
    public const string MeterName = "KakaoFlow.Store";

    private static readonly KeyValuePair<string, object?> FromCache = new("from", "cache");
    private static readonly KeyValuePair<string, object?> FromPacked = new("from", "packed");
    private static readonly KeyValuePair<string, object?> FromStore = new("from", "store");
    private static readonly KeyValuePair<string, object?> FromFilter = new("from", "new");

    private readonly Counter<long> _reads;
    private readonly Counter<long> _writes;
    private readonly Counter<long> _waits;
    private readonly Counter<long> _flushed;
    private readonly Counter<long> _carried;
    private readonly Histogram<double> _flushTime;

    /// <param name="unflushedUsers">Users whose latest write is not in the data file yet.</param>
    /// <param name="cachedSessions">Sessions held in the object cache.</param>
    /// <param name="packedBytes">Bytes held in the cache of records.</param>
    /// <param name="journalBytes">Bytes of the journal's segments not deleted yet.</param>
    public SessionStoreMetrics(Func<int> unflushedUsers, Func<int> cachedSessions, Func<long> packedBytes, Func<long> journalBytes)
    {
        Meter = new Meter(MeterName);
        _reads = Meter.CreateCounter<long>("kakaoflow.session.reads", "{read}",
            "Session reads by where they were answered: cache, packed (a record in memory), store (the data file), new (a user never stored, known without reading the file)");
        _writes = Meter.CreateCounter<long>("kakaoflow.session.writes", "{write}", "Session writes acknowledged (in the journal)");
        _waits = Meter.CreateCounter<long>("kakaoflow.session.backpressure_waits", "{write}", "Writes that waited for the flusher (back-pressure)");
        _flushed = Meter.CreateCounter<long>("kakaoflow.session.flushed", "{session}", "Sessions the flusher wrote to the data file");
        _carried = Meter.CreateCounter<long>("kakaoflow.session.carried_over", "{session}", "Sessions a background flush carried over instead of writing them (users still in their conversation): appended again to the new journal segment, or left in theirs when that would not halve the journal");
        _flushTime = Meter.CreateHistogram<double>("kakaoflow.session.flush.duration", "ms", "How long each flush took, from taking its batch to deleting its journal segments");
        Meter.CreateObservableUpDownCounter("kakaoflow.session.unflushed", unflushedUsers, "{user}", "Users whose latest write is only in the journal");
        Meter.CreateObservableUpDownCounter("kakaoflow.session.cached", cachedSessions, "{session}", "Sessions held in the object cache");
        Meter.CreateObservableUpDownCounter("kakaoflow.session.packed", packedBytes, "By", "Bytes of sessions held as records in memory");
        Meter.CreateObservableUpDownCounter("kakaoflow.session.journal", journalBytes, "By", "Bytes of session journal segments not deleted yet (what a start after a crash replays)");
    }

    public Meter Meter { get; }

    public void ReadFromCache() => _reads.Add(1, FromCache);

    public void ReadFromPacked() => _reads.Add(1, FromPacked);

    public void ReadFromStore() => _reads.Add(1, FromStore);

    public void ReadOfNewUser() => _reads.Add(1, FromFilter);

    public void Written() => _writes.Add(1);

    public void WaitedForRoom() => _waits.Add(1);

    public void Flushed(int sessions, int carriedOver, TimeSpan took)
    {
        _flushed.Add(sessions);
        _carried.Add(carriedOver);
        _flushTime.Record(took.TotalMilliseconds);
    }

    /// <summary>A background flush that left the users it carried over in the journal segments they were in.</summary>
    public void CarriedOver(int users) => _carried.Add(users);

    public void Dispose() => Meter.Dispose();
}
