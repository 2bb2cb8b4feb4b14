using System.Globalization;

namespace KakaoFlow.Store.Tests.Support;

/// <summary>A LiteDB file path in a fresh temp folder, deleted with the folder when the test ends.</summary>
public abstract class TempStoreFile : IDisposable
{
    private int _copies;

    protected string StoreFile { get; } = Path.Combine(Path.GetTempPath(), "kakaoflow-store-tests", Guid.NewGuid().ToString("N"), "store.litedb");

    /// <summary>Opens the LiteDB file at <see cref="StoreFile"/> alone (its folder made first), with a health of its own unless given.</summary>
    private protected LiteDbFile OpenDataFile(StoreHealth? health = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        return new LiteDbFile(StoreFile, health ?? new StoreHealth(TimeProvider.System, null));
    }

    /// <summary>Makes the data file, empty, as a first start does: journal segments a test writes by hand need one beside them.</summary>
    protected void CreateDataFile()
    {
        using (new LiteDbStore(StoreFile, new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
        }
    }

    /// <summary>
    /// What a process killed now would leave: <paramref name="storeFile"/>'s files (the data file, LiteDB's log, the journal)
    /// copied to a new folder while the store is open; returns the copy's data file.
    /// </summary>
    protected string CopyStoreFiles(string? storeFile = null)
    {
        storeFile ??= StoreFile;
        var source = Path.GetDirectoryName(storeFile)!;
        var target = Path.Combine(Path.GetDirectoryName(StoreFile)!, "killed-" + (++_copies).ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(target);
        var name = Path.GetFileNameWithoutExtension(storeFile);
        foreach (var file in Directory.EnumerateFiles(source, name + "*"))
        {
            if (file.EndsWith(".lock", StringComparison.Ordinal))
            {
                // Held by the open store (it cannot be read); a killed process leaves it empty and unlocked.
                File.WriteAllBytes(Path.Combine(target, Path.GetFileName(file)), []);
                continue;
            }

            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return Path.Combine(target, Path.GetFileName(storeFile));
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
