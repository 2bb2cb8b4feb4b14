using LiteDB;

namespace KakaoFlow.Store;

/// <summary>Reads by id that never hand back another record than the one asked for.</summary>
internal static class LiteDbReads
{
    /// <summary>
    /// <c>FindById</c>, refusing a document stored under another id. LiteDB 5.0.21's page-cache race (see
    /// <see cref="LiteDbFile.Breaks"/>) can hand a reader another document than the one its index points to: reads from
    /// four threads at once over a file of a million sessions got one back (bench/README.md, "tenth session"). For a
    /// session or a registered card that is another user's data, so it fails like the race's other signs do, and the
    /// file is opened again. Ids are compared in the file's <paramref name="collation"/> (<see cref="LiteDbFile.Database.Collation"/>):
    /// a file made before the ordinal collation finds <c>Abc</c>'s document for <c>abc</c>, and that is no failure.
    /// </summary>
    public static BsonDocument? FindExactly(this ILiteCollection<BsonDocument> collection, BsonValue id, Collation collation)
    {
#pragma warning disable RS0030 // the one call allowed: checked below
        var document = collection.FindById(id);
#pragma warning restore RS0030
        if (document is not null && !collation.Equals(document["_id"], id))
        {
            // Neither id in the message: they hold user keys.
            throw new WrongDocumentException($"LiteDB returned another document of '{collection.Name}' than the one asked for by its id");
        }

        return document;
    }
}

/// <summary>LiteDB returned a document stored under another id than the one asked for: its page cache is broken.</summary>
internal sealed class WrongDocumentException(string message) : InvalidOperationException(message);
