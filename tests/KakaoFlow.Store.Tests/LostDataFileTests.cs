using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// Only a missing data file is a first start. A data file that is there but empty, cut short or unreadable is a lost one:
/// opening it as a new database would start every bot afresh (users' places, friends, bot data, service states — a
/// blocked bot included), so the store refuses and says what to do; so it does when the data file is gone but its
/// journal or LiteDB log is still there. Nothing is changed by a refusal.
/// </summary>
public sealed class LostDataFileTests : TempStoreFile
{
    private static readonly SessionStoreOptions NoBackgroundFlush = new() { FlushInterval = TimeSpan.FromHours(1) };

    private string Folder => Path.GetDirectoryName(StoreFile)!;

    [Theory]
    [InlineData(0, false)]
    [InlineData(0, true)]
    [InlineData(100, true)]
    [InlineData(8191, false)]
    public async Task An_empty_or_cut_data_file_is_refused_and_left_as_it_is(int length, bool withJournal)
    {
        Directory.CreateDirectory(Folder);
        var journal = withJournal ? await LeaveAJournalAsync() : null;
        File.WriteAllBytes(StoreFile, new byte[length]);

        var refused = Assert.ThrowsAny<StoreException>(() => new LiteDbStore(StoreFile, NoBackgroundFlush));

        Assert.IsNotType<StoreUnavailableException>(refused);
        Assert.Contains(StoreFile, refused.Message, StringComparison.Ordinal);
        Assert.Contains(length == 0 ? "is empty" : $"only {length} bytes", refused.Message, StringComparison.Ordinal);
        Assert.Contains("restore it from a backup", refused.Message, StringComparison.Ordinal);
        Assert.Contains("remove it and its session journal", refused.Message, StringComparison.Ordinal);
        Assert.Equal(length, new FileInfo(StoreFile).Length);
        if (journal is not null)
        {
            Assert.Equal(journal, File.ReadAllBytes(Assert.Single(Directory.GetFiles(Folder, "*.journal"))));
        }
    }

    [Fact]
    public void A_data_file_of_zeros_is_unreadable_and_refused()
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllBytes(StoreFile, new byte[3 * 8192]);

        var refused = Assert.ThrowsAny<StoreException>(() => new LiteDbStore(StoreFile, NoBackgroundFlush));

        Assert.Contains("restore it from a backup", refused.Message, StringComparison.Ordinal);
        Assert.All(File.ReadAllBytes(StoreFile), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task A_missing_data_file_with_its_journal_left_is_refused()
    {
        var journal = await LeaveAJournalAsync();
        File.Delete(StoreFile);
        File.Delete(Path.Combine(Folder, "store-log.litedb"));

        var refused = Assert.ThrowsAny<StoreException>(() => new LiteDbStore(StoreFile, NoBackgroundFlush));

        Assert.Contains("is missing", refused.Message, StringComparison.Ordinal);
        Assert.Contains("restore it from a backup", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(StoreFile));
        Assert.Equal(journal, File.ReadAllBytes(Assert.Single(Directory.GetFiles(Folder, "*.journal"))));
    }

    [Fact]
    public void A_missing_data_file_with_its_LiteDB_log_left_is_refused()
    {
        Directory.CreateDirectory(Folder);
        var log = Path.Combine(Folder, "store-log.litedb");
        File.WriteAllBytes(log, new byte[8192]);

        var refused = Assert.ThrowsAny<StoreException>(() => new LiteDbStore(StoreFile, NoBackgroundFlush));

        Assert.Contains("is missing", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(StoreFile));
    }

    [Fact]
    public async Task Removing_the_data_file_and_its_journal_starts_afresh()
    {
        await LeaveAJournalAsync();
        File.WriteAllBytes(StoreFile, []);
        Assert.ThrowsAny<StoreException>(() => new LiteDbStore(StoreFile, NoBackgroundFlush));

        foreach (var file in Directory.GetFiles(Folder, "store*"))
        {
            File.Delete(file);
        }

        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        Assert.Null(store.Sessions.Find("bot", "user"));
    }

    /// <summary>A store that was killed with an acknowledged write in its journal; returns the journal's bytes.</summary>
    private async Task<byte[]> LeaveAJournalAsync()
    {
        using (var store = new LiteDbStore(StoreFile, NoBackgroundFlush))
        {
            await store.Sessions.SaveAsync("bot", "user", new Session { StepId = "acknowledged" });
            var segment = Assert.Single(Directory.GetFiles(Folder, "*.journal"));
            var bytes = File.ReadAllBytes(segment);
            store.Dispose();
            File.WriteAllBytes(segment, bytes); // as a killed process leaves it (the clean close deleted it)
            return bytes;
        }
    }
}
