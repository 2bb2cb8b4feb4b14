using System.Diagnostics.Metrics;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// The session store's metrics (meter <c>KakaoFlow.Store</c>) say where each read was answered, what was written and
/// flushed, and what memory holds: listened to here as <c>dotnet-counters</c> would, on one store's own meter.
/// </summary>
public sealed class SessionStoreMetricsTests : TempStoreFile
{
    private const string Bot = "피자봇";

    private readonly RecordingBackingStore _backing = new();

    [Fact]
    public async Task Reads_are_counted_by_where_they_were_answered_and_writes_and_flushes_as_they_happen()
    {
        _backing.Save(Bot, "단골", Sessions.Turn("단골", 1));
        using var sessions = Open(new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1), CacheCapacity = 1 });
        await sessions.KnownUsersLoaded;
        using var metrics = new Listened(sessions.Meter);

        Assert.NotNull(sessions.Find(Bot, "단골")); // from the data file
        Assert.NotNull(sessions.Find(Bot, "단골")); // then from the cache
        Assert.Null(sessions.Find(Bot, "처음온손님")); // never stored: answered by the filter
        await sessions.SaveAsync(Bot, "손님-1", Sessions.Turn("손님-1", 1));
        await sessions.SaveAsync(Bot, "손님-2", Sessions.Turn("손님-2", 1));
        await sessions.SaveAsync(Bot, "손님-1", Sessions.Turn("손님-1", 2));
        Assert.Equal(2, metrics.Gauge("kakaoflow.session.unflushed"));
        var journal = JournalSegments().Sum(segment => new FileInfo(segment).Length);
        Assert.True(journal > 0);
        Assert.Equal(journal, metrics.Gauge("kakaoflow.session.journal"));

        // Two users written; the cache is trimmed to its one session (the latest touched, 손님-1), and 손님-2, written
        // before it, is kept as its record.
        sessions.Flush();
        Assert.Equal(0, metrics.Gauge("kakaoflow.session.unflushed"));
        Assert.Equal(0, metrics.Gauge("kakaoflow.session.journal"));
        Assert.Equal(1, metrics.Gauge("kakaoflow.session.cached"));
        Assert.Equal(sessions.Packed.Bytes, metrics.Gauge("kakaoflow.session.packed"));
        Assert.True(sessions.Packed.Bytes > 0);
        Assert.NotNull(sessions.Find(Bot, "손님-2")); // from its record in memory

        Assert.Equal(1, metrics.Sum("kakaoflow.session.reads", "from", "store"));
        Assert.Equal(1, metrics.Sum("kakaoflow.session.reads", "from", "cache"));
        Assert.Equal(1, metrics.Sum("kakaoflow.session.reads", "from", "new"));
        Assert.Equal(1, metrics.Sum("kakaoflow.session.reads", "from", "packed"));
        Assert.Equal(3, metrics.Sum("kakaoflow.session.writes"));
        Assert.Equal(2, metrics.Sum("kakaoflow.session.flushed"));
        var flush = Assert.Single(metrics.Recorded("kakaoflow.session.flush.duration"));
        Assert.InRange(flush, 0, 60_000);
    }

    [Fact]
    public async Task A_write_held_back_by_the_flusher_is_counted()
    {
        using var sessions = Open(new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1), MaxUnflushedUsers = 1 });
        using var metrics = new Listened(sessions.Meter);

        await sessions.SaveAsync(Bot, "a", Sessions.Turn("a", 1));
        Assert.Equal(0, metrics.Sum("kakaoflow.session.backpressure_waits"));
        await sessions.SaveAsync(Bot, "b", Sessions.Turn("b", 1)); // waits until the flusher took a

        Assert.Equal(1, metrics.Sum("kakaoflow.session.backpressure_waits"));
    }

    [Theory]
    [InlineData(1)] // left in its segment
    [InlineData(2)] // appended again to a new segment
    public async Task Users_carried_over_by_a_background_flush_are_counted(int writes)
    {
        using var sessions = Open(new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) });
        using var metrics = new Listened(sessions.Meter);
        for (var turn = 1; turn <= writes; turn++)
        {
            await sessions.SaveAsync(Bot, "손님", Sessions.Turn("손님", turn));
        }

        sessions.FlushInBackground(); // the user wrote just now: carried over, not written

        Assert.Equal(1, metrics.Sum("kakaoflow.session.carried_over"));
        Assert.Equal(0, metrics.Sum("kakaoflow.session.flushed"));
        Assert.Equal(1, metrics.Gauge("kakaoflow.session.unflushed"));
    }

    [Fact]
    public void Another_stores_activity_is_not_counted_on_this_stores_meter()
    {
        using var sessions = Open(new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) });
        using var other = new JournaledSessionStore(new RecordingBackingStore(), new SessionJournal(StoreFile + ".other", 1), new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) });
        using var metrics = new Listened(sessions.Meter);

        other.Find(Bot, "누군가");

        Assert.Equal(0, metrics.Sum("kakaoflow.session.reads", "from", "store") + metrics.Sum("kakaoflow.session.reads", "from", "new"));
        Assert.Equal(SessionStoreMetrics.MeterName, sessions.Meter.Name);
    }

    private JournaledSessionStore Open(SessionStoreOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        return new JournaledSessionStore(_backing, new SessionJournal(StoreFile, 1), options);
    }

    /// <summary>Every measurement of one meter, as a <see cref="MeterListener"/> (what dotnet-counters uses) receives them.</summary>
    private sealed class Listened : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = [];

        public Listened(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.Start();
        }

        public double Sum(string name, string? tag = null, string? value = null)
        {
            lock (_measurements)
            {
                return _measurements
                    .Where(m => m.Name == name && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))))
                    .Sum(m => m.Value);
            }
        }

        public List<double> Recorded(string name)
        {
            lock (_measurements)
            {
                return [.. _measurements.Where(m => m.Name == name).Select(m => m.Value)];
            }
        }

        /// <summary>The value an observable instrument reports now.</summary>
        public double Gauge(string name)
        {
            lock (_measurements)
            {
                _measurements.RemoveAll(m => m.Name == name);
            }

            _listener.RecordObservableInstruments();
            return Assert.Single(Recorded(name));
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, value, tags.ToArray()));
            }
        }
    }
}
