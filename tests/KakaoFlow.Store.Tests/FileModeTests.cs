using System.Text.Json;
using KakaoFlow.Runtime;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// The store's files hold users' data (sessions, bot data) and live next to the admin token: readable by the owner only
/// (mode 600), whatever the process's umask — the data file, LiteDB's log, every journal segment and the lock file.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FileModeTests : TempStoreFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Every_file_of_the_store_is_created_readable_by_the_owner_only()
    {
        Assert.False(OperatingSystem.IsWindows(), "file modes are a Unix matter");
        using var store = new LiteDbStore(StoreFile, new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) });
        await store.Sessions.SaveAsync("bot", "user", new Session { StepId = "journaled" });
        store.BotData.Set("bot", "key", JsonSerializer.SerializeToElement("a value in LiteDB's log"));

        var files = Directory.GetFiles(Path.GetDirectoryName(StoreFile)!);
        Assert.Contains(StoreFile, files);
        Assert.Contains(StoreFile + ".lock", files);
        Assert.Contains(Path.Combine(Path.GetDirectoryName(StoreFile)!, "store-log.litedb"), files);
        Assert.Contains(files, file => file.EndsWith(".journal", StringComparison.Ordinal));
        Assert.All(files, file => Assert.True(File.GetUnixFileMode(file) == OwnerOnly, $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}"));

        // A segment made after a flush, too.
        store.FlushSessions();
        await store.Sessions.SaveAsync("bot", "user", new Session { StepId = "again" });
        Assert.All(Directory.GetFiles(Path.GetDirectoryName(StoreFile)!, "*.journal"), file => Assert.Equal(OwnerOnly, File.GetUnixFileMode(file)));
    }

    [Fact]
    public void Files_made_before_with_wider_permissions_are_narrowed_at_open()
    {
        Assert.False(OperatingSystem.IsWindows(), "file modes are a Unix matter");
        using (new LiteDbStore(StoreFile))
        {
        }

        File.SetUnixFileMode(StoreFile, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var store = new LiteDbStore(StoreFile);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(StoreFile));
    }
}
