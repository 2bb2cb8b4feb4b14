namespace KakaoFlow.Store.Tests.Support;

/// <summary>A <see cref="LiteDbStore"/> on a file in a fresh temp folder, reopened on the same file and deleted at the end.</summary>
internal sealed class LiteDbTestFile(SessionStoreOptions? options = null) : IDisposable
{
    private LiteDbStore? _store;

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kakaoflow-store-tests", Guid.NewGuid().ToString("N"), "store.litedb");

    /// <summary>Opens the file (closing the store opened before, if any).</summary>
    public LiteDbStore Open()
    {
        Close();
        _store = new LiteDbStore(Path, options);
        return _store;
    }

    /// <summary>Closes the store as a clean shutdown does: sessions flushed, LiteDB checkpointed.</summary>
    public void Close()
    {
        _store?.Dispose();
        _store = null;
    }

    public void Dispose()
    {
        Close();
        try
        {
            Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or a file still held by a test that failed: the temp folder is not ours to worry about.
        }
    }
}
