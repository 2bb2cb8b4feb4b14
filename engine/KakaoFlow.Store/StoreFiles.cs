using System.Globalization;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// The files of one store and how they are made: the data file, LiteDB's log beside it (<c>{name}-log{ext}</c>), the
/// session journal's segments and the lock file. Everything holds users' data or sits next to the admin token: created
/// readable by the owner only (mode 600 on Unix), whatever the umask, and an older file with wider permissions is
/// narrowed when the store opens it.
/// </summary>
internal static class StoreFiles
{
    /// <summary>LiteDB's page: a data file it made is never shorter.</summary>
    public const int PageSize = 8192;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly Collation OrdinalCollation = new(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);

    /// <summary>LiteDB's write-ahead log of <paramref name="dataFile"/> (its own naming: <c>kakaoflow-log.litedb</c>).</summary>
    public static string LogOf(string dataFile) =>
        Path.Combine(Path.GetDirectoryName(dataFile)!, Path.GetFileNameWithoutExtension(dataFile) + "-log" + Path.GetExtension(dataFile));

    /// <summary>Options for a new file of ours: owner-only on Unix (<see cref="FileStreamOptions.UnixCreateMode"/> ignores the umask).</summary>
    public static FileStreamOptions NewFile(FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return options;
    }

    /// <summary>
    /// Makes sure the data file and LiteDB's log exist, owner-only, before LiteDB opens them (LiteDB would create them with
    /// the umask's mode, the log at its first write). A new data file is made complete under a temporary name and
    /// renamed into place, so that the data file is never seen empty.
    /// </summary>
    public static void Prepare(string dataFile)
    {
        if (!File.Exists(dataFile))
        {
            CreateDataFile(dataFile);
        }

        var log = LogOf(dataFile);
        if (!File.Exists(log))
        {
            // An empty log is what LiteDB calls no log (it deletes it again when it closes).
            new FileStream(log, NewFile(FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite)).Dispose();
        }

        Narrow(dataFile);
        Narrow(log);
    }

    /// <summary>Takes the group's and others' permissions away from a file made before files were created owner-only.</summary>
    public static void Narrow(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
        {
            File.SetUnixFileMode(path, mode & OwnerOnly);
        }
    }

    private static void CreateDataFile(string dataFile)
    {
        var building = dataFile + ".new";
        File.Delete(building); // left by a start that was killed before the rename: it held nothing yet
        new FileStream(building, NewFile(FileMode.CreateNew, FileAccess.Write, FileShare.None)).Dispose();

        // Keys (user_keys, bot ids, data keys) are opaque, case-sensitive strings: compare them ordinally. LiteDB's
        // default collation (current culture, IgnoreCase) would make "AbC" and "abc" one user, and culture-aware
        // comparisons cost far more CPU in every index lookup. LiteDB stores the collation in the file when it creates
        // it; a file made by an earlier version keeps its own.
        var connection = new ConnectionString { Filename = building, Connection = ConnectionType.Direct, Collation = OrdinalCollation };
        using (new LiteDatabase(connection, new BsonMapper()))
        {
            // Creating the database writes its header page to the file; nothing else.
        }

        try
        {
            File.Move(building, dataFile);
        }
        catch
        {
            File.Delete(building);
            throw;
        }
    }
}
