using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Store.Tests;

/// <summary><c>AddLiteDbStore</c>: one store per container, the four interfaces resolving to its parts, disposed with the container, logging through it.</summary>
public sealed class LiteDbStoreRegistrationTests : TempStoreFile
{
    private readonly CapturingLogger _log = new();

    [Fact]
    public void The_four_store_interfaces_resolve_to_the_parts_of_one_store()
    {
        using var provider = Build();

        var store = provider.GetRequiredService<LiteDbStore>();
        Assert.Same(store, provider.GetRequiredService<LiteDbStore>());
        Assert.Same(store.Sessions, provider.GetRequiredService<ISessionStore>());
        Assert.Same(store.Friends, provider.GetRequiredService<IFriendStore>());
        Assert.Same(store.BotData, provider.GetRequiredService<IBotDataStore>());
        Assert.Same(store.Services, provider.GetRequiredService<IServiceStore>());
        Assert.Equal(Path.GetFullPath(StoreFile), store.FileName);
    }

    [Fact]
    public void Disposing_the_container_flushes_and_closes_the_store()
    {
        using (var provider = Build(options => options.FlushInterval = TimeSpan.FromHours(1)))
        {
            provider.GetRequiredService<ISessionStore>().Save("bot", "user", Session.New with { StepId = "saved" });
        }

        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(StoreFile)!, "*.journal"));
        using var reopened = new LiteDbStore(StoreFile);
        Assert.Equal(0, reopened.RecoveredSessionWrites);
        Assert.Equal("saved", reopened.Sessions.Find("bot", "user")?.StepId);
    }

    [Fact]
    public void The_options_are_configured_once_at_registration()
    {
        var calls = 0;
        using var provider = Build(options =>
        {
            calls++;
            options.CacheCapacity = 1;
        });
        var store = provider.GetRequiredService<LiteDbStore>();
        for (var i = 0; i < 5; i++)
        {
            store.Sessions.Save("bot", "user" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), Session.New);
        }

        store.FlushSessions();

        Assert.Equal(1, calls);
        Assert.Equal(1, store.CachedSessions);
    }

    [Fact]
    public void A_journal_replay_at_open_is_logged()
    {
        CreateDataFile();
        File.WriteAllBytes(
            StoreFile + ".sessions-00000001.journal",
            [.. UnmarkedFrames.Of(SessionRecord.Write("bot", "user", Session.New)), .. UnmarkedFrames.Of("{\"not\":\"a session\"}"u8.ToArray())]);

        using var provider = Build();
        provider.GetRequiredService<LiteDbStore>();

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("Session journal replayed: 1 write(s) recovered, 1 unreadable record(s) skipped", entry.Message);
    }

    [Fact]
    public void Damaged_journal_records_are_logged_as_an_error_with_their_count()
    {
        CreateDataFile();
        var damaged = JournalFrames.Frame(SessionRecord.Write("bot", "lost", Session.New));
        damaged[^2] ^= 1;
        File.WriteAllBytes(
            StoreFile + ".sessions-00000001.journal",
            [.. JournalFrames.Frame(SessionRecord.Write("bot", "user", Session.New)), .. damaged, .. JournalFrames.Frame(SessionRecord.Write("bot", "other", Session.New))]);

        using var provider = Build();
        provider.GetRequiredService<LiteDbStore>();

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("Session journal replayed: 2 write(s) recovered, 1 damaged record(s) skipped (acknowledged writes lost), 0 record(s) that were not sessions skipped", entry.Message);
    }

    [Fact]
    public void Nothing_is_logged_when_there_is_nothing_to_replay()
    {
        using var provider = Build();
        provider.GetRequiredService<LiteDbStore>();

        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task A_failed_background_flush_is_logged_as_an_error_with_the_store_exception()
    {
        // Every background flush writes every user and deletes the segments (nobody carried over, or left in place).
        using var provider = Build(options => (options.FlushInterval, options.WriteIdleAfter) = (TimeSpan.FromMilliseconds(20), TimeSpan.Zero));
        var store = provider.GetRequiredService<LiteDbStore>();
        var folder = Path.GetDirectoryName(StoreFile)!;

        // The segment cannot be deleted while a folder stands in its place (see SessionJournalTests). The flusher may
        // write and delete a segment before the folder replaces it (a busy machine): then another write tries again.
        var segment = "";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 0; _log.Entries.Count == 0; attempt++)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "no flush failure was logged");
            if (Directory.Exists(segment))
            {
                Directory.Delete(segment, recursive: true); // the flusher was done with that segment: not the one to block
            }

            await store.Sessions.SaveAsync("bot", "user-" + attempt, Session.New);
            segment = Directory.EnumerateFiles(folder, "*.journal").Order(StringComparer.Ordinal).LastOrDefault() ?? "";
            if (segment.Length > 0)
            {
                File.Delete(segment);
                Directory.CreateDirectory(segment);
                File.WriteAllText(Path.Combine(segment, "open"), "x");
            }

            for (var waited = 0; waited < 100 && _log.Entries.Count == 0; waited++)
            {
                await Task.Delay(10);
            }
        }

        Directory.Delete(segment, recursive: true);
        var entry = _log.Entries[0];
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("Writing buffered sessions to LiteDB failed; they stay in the session journal and the write is retried", entry.Message);
        Assert.IsType<StoreUnavailableException>(entry.Exception);
    }

    [Fact]
    public void A_data_file_that_cannot_be_opened_fails_at_resolution_with_a_store_exception()
    {
        Directory.CreateDirectory(StoreFile);
        using var provider = Build();

        Assert.Throws<StoreUnavailableException>(() => provider.GetRequiredService<ISessionStore>());
    }

    private ServiceProvider Build(Action<SessionStoreOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILogger<LiteDbStore>>(_log);
        services.AddLiteDbStore(StoreFile, configure);
        return services.BuildServiceProvider();
    }
}
