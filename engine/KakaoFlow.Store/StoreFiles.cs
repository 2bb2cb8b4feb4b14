using System.Globalization;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// The files of one store and how they are made: the data file and LiteDB's log beside it (<c>{name}-log{ext}</c>).
/// </summary>
internal static class StoreFiles
{
    /// <summary>LiteDB's page: a data file it made is never shorter.</summary>
    public const int PageSize = 8192;

    private static readonly Collation OrdinalCollation = new(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);

    /// <summary>LiteDB's write-ahead log of <paramref name="dataFile"/> (its own naming: <c>kakaoflow-log.litedb</c>).</summary>
    public static string LogOf(string dataFile) =>
        Path.Combine(Path.GetDirectoryName(dataFile)!, Path.GetFileNameWithoutExtension(dataFile) + "-log" + Path.GetExtension(dataFile));

    /// <summary>
    /// Makes sure the data file exists before LiteDB opens it. A new data file is made complete under a temporary name and
    /// renamed into place, so that the data file is never seen empty.
    /// </summary>
    public static void Prepare(string dataFile)
    {
        if (!File.Exists(dataFile))
        {
            CreateDataFile(dataFile);
        }
    }

    private static void CreateDataFile(string dataFile)
    {
        var building = dataFile + ".new";
        File.Delete(building); // left by a start that was killed before the rename: it held nothing yet

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
