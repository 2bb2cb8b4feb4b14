namespace KakaoFlow.Store.Tests.Support;

/// <summary>A LiteDB file path in a fresh temp folder, deleted with the folder when the test ends.</summary>
public abstract class TempStoreFile : IDisposable
{
    protected string StoreFile { get; } = Path.Combine(Path.GetTempPath(), "kakaoflow-store-tests", Guid.NewGuid().ToString("N"), "store.litedb");

    /// <summary>Makes the data file, empty, as a first start does: journal segments a test writes by hand need one beside them.</summary>
    protected void CreateDataFile()
    {
        using (new LiteDbStore(StoreFile, new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
        }
    }

    /// <summary>The session journal's segments beside <see cref="StoreFile"/> now.</summary>
    protected List<string> JournalSegments() => [.. Directory.EnumerateFiles(Path.GetDirectoryName(StoreFile)!, "*.journal")];

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(StoreFile)!, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or a file still held by a test that failed: the temp folder is not ours to worry about.
        }
    }
}
