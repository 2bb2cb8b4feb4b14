using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// One store per data file: a second store (in this process or another) fails at open, because it would replay and
/// delete the first one's journal and write the same LiteDB file with a second engine. LiteDB's own file sharing is not
/// enforced on Unix, so the store holds a lock file (<c>{data file}.lock</c>) while it is open.
/// </summary>
public sealed class StoreLockTests : TempStoreFile
{
    private static readonly SessionStoreOptions NoBackgroundFlush = new() { FlushInterval = TimeSpan.FromHours(1) };

    [Fact]
    public async Task A_second_store_on_the_same_file_fails_at_open_and_says_why()
    {
        using (var first = new LiteDbStore(StoreFile, NoBackgroundFlush))
        {
            await first.Sessions.SaveAsync("bot", "user", new Session { StepId = "first" });

            var refused = Assert.Throws<StoreUnavailableException>(() => new LiteDbStore(StoreFile, NoBackgroundFlush));
            Assert.Contains(StoreFile, refused.Message, StringComparison.Ordinal);
            Assert.Contains("in use", refused.Message, StringComparison.Ordinal);

            // The refused store touched nothing: the first one's journal is still there, and it still works.
            Assert.NotEmpty(Directory.GetFiles(Path.GetDirectoryName(StoreFile)!, "*.journal"));
            await first.Sessions.SaveAsync("bot", "user", new Session { StepId = "second" });
            Assert.Equal("second", first.Sessions.Find("bot", "user")?.StepId);
        }

        // Closed: the file can be opened again, with everything the first store acknowledged.
        using var again = new LiteDbStore(StoreFile, NoBackgroundFlush);
        Assert.Equal("second", again.Sessions.Find("bot", "user")?.StepId);
    }

    [Fact]
    public void The_same_file_by_another_path_is_the_same_file()
    {
        using var first = new LiteDbStore(StoreFile, NoBackgroundFlush);
        var roundabout = Path.Combine(Path.GetDirectoryName(StoreFile)!, "..", Path.GetFileName(Path.GetDirectoryName(StoreFile)!), Path.GetFileName(StoreFile));
        Assert.Throws<StoreUnavailableException>(() => new LiteDbStore(roundabout, NoBackgroundFlush));
    }
}
