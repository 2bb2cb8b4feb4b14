using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;
using LiteDB;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// LiteDB's and the file system's failures reach callers as <see cref="StoreException"/>s with the cause inside, never
/// as LiteDB's own exceptions; what is not a storage failure passes through unchanged.
/// </summary>
public sealed class StoreExceptionTests : TempStoreFile
{
    private static readonly SessionStoreOptions NoBackgroundFlush = new() { FlushInterval = TimeSpan.FromHours(1) };

    [Fact]
    public void A_file_that_is_not_a_LiteDB_database_cannot_be_opened_and_says_which_file()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        var garbage = new byte[8192 * 3];
        new Random(3).NextBytes(garbage);
        File.WriteAllBytes(StoreFile, garbage);

        var failed = Assert.ThrowsAny<StoreException>(() => new LiteDbStore(StoreFile));
        Assert.IsNotType<StoreUnavailableException>(failed);
        Assert.Contains(StoreFile, failed.Message, StringComparison.Ordinal);
        Assert.NotNull(failed.InnerException);
    }

    [Fact]
    public void A_data_file_path_that_is_a_folder_is_unavailable_and_leaves_nothing_open()
    {
        Directory.CreateDirectory(StoreFile);

        var failed = Assert.Throws<StoreUnavailableException>(() => new LiteDbStore(StoreFile, NoBackgroundFlush));
        Assert.Contains(StoreFile, failed.Message, StringComparison.Ordinal);
        Assert.True(failed.InnerException is IOException or UnauthorizedAccessException, failed.InnerException?.ToString());

        // The half-opened store released everything, and left nothing behind but its (empty) lock file: the path works
        // once it is a file path again.
        Assert.Equal([StoreFile, StoreFile + ".lock"], Directory.GetFileSystemEntries(Path.GetDirectoryName(StoreFile)!).Order(StringComparer.Ordinal));
        Directory.Delete(StoreFile);
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        store.Sessions.Save("bot", "user", Session.New);
        Assert.Equal(1, store.Sessions.Count("bot"));
    }

    [Fact]
    public void A_data_file_under_a_file_instead_of_a_folder_is_unavailable()
    {
        var parent = Path.GetDirectoryName(StoreFile)!;
        Directory.CreateDirectory(parent);
        var notAFolder = Path.Combine(parent, "file");
        File.WriteAllText(notAFolder, "x");

        var failed = Assert.Throws<StoreUnavailableException>(() => new LiteDbStore(Path.Combine(notAFolder, "store.litedb")));
        Assert.IsAssignableFrom<IOException>(failed.InnerException);
    }

    [Fact]
    public void A_LiteDB_error_during_an_operation_is_a_store_exception_with_LiteDBs_exception_inside()
    {
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        // LiteDB refuses index keys of 1023 bytes or more; the key is part of the document id.
        var tooLong = new string('키', 400);

        var failed = Assert.ThrowsAny<StoreException>(() => store.BotData.Set("bot", tooLong, System.Text.Json.JsonSerializer.SerializeToElement(1)));
        Assert.IsType<LiteException>(failed.InnerException);
        Assert.Contains("'bot'", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(tooLong, failed.Message, StringComparison.Ordinal);

        Assert.IsType<LiteException>(Assert.ThrowsAny<StoreException>(() => store.Friends.MarkAdded("bot", tooLong, DateTimeOffset.UnixEpoch)).InnerException);
        Assert.Null(store.BotData.Get("bot", "other"));
    }

    [Fact]
    public async Task A_journal_write_that_fails_is_unavailable_and_the_previous_acknowledged_write_stays()
    {
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        await store.Sessions.SaveAsync("bot", "user", new Session { StepId = "first" });
        store.FlushSessions();

        // The flush closed segment 1; the next write opens segment 2, which a folder of that name now blocks.
        Directory.CreateDirectory(StoreFile + ".sessions-00000002.journal");
        var failed = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.Sessions.SaveAsync("bot", "user", new Session { StepId = "second" }));
        Assert.NotNull(failed.InnerException);
        Assert.IsNotAssignableFrom<StoreException>(failed.InnerException);

        Assert.Equal("first", store.Sessions.Find("bot", "user")?.StepId);
    }

    [Fact]
    public async Task A_disposed_store_still_throws_ObjectDisposedException()
    {
        var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        var sessions = store.Sessions;
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => sessions.SaveAsync("bot", "user", Session.New));
    }

    [Fact]
    public void An_exception_thrown_by_the_callers_decision_passes_through_unchanged()
    {
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);

        Assert.Throws<InvalidOperationException>(() => store.Services.Change("bot", _ => throw new InvalidOperationException("decided not to")));
        Assert.Null(store.Services.Find("bot"));
    }

    [Fact]
    public void Translation_keeps_storage_trouble_apart_from_other_failures()
    {
        Assert.IsType<StoreUnavailableException>(StoreErrors.Translate(new IOException("disk full"), "Writing"));
        Assert.IsType<StoreUnavailableException>(StoreErrors.Translate(new UnauthorizedAccessException(), "Writing"));
        Assert.IsType<StoreException>(StoreErrors.Translate(new LiteException(0, "bad page"), "Writing"));
        Assert.IsType<StoreUnavailableException>(StoreErrors.Translate(new LiteException(LiteException.LOCK_TIMEOUT, "lock timeout"), "Writing"));
        Assert.Equal("Writing failed: disk full", StoreErrors.Translate(new IOException("disk full"), "Writing").Message);
        Assert.False(StoreErrors.IsStorageFailure(new InvalidDataException()));
        Assert.False(StoreErrors.IsStorageFailure(new ObjectDisposedException("store")));
        Assert.False(StoreErrors.IsStorageFailure(new StoreException("already translated")));
    }
}
