using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Sessions as documents in LiteDB's <c>sessions</c> collection (<see cref="SessionDocuments"/>), read and written
/// directly: each call is one LiteDB transaction, a batch (<see cref="SaveAll"/>) included. No cache and no journal:
/// <see cref="JournaledSessionStore"/> puts those in front. Also replays the journal segments a killed process left
/// behind (<see cref="Replay"/>), since that is a batch of writes to this collection.
/// </summary>
internal sealed class LiteDbSessionStore : ISessionBackingStore
{
    private readonly LiteDbFile _file;
    private readonly IJournalFiles _files;

    /// <summary>Opens the collection and its index; call once, at start-up (creating indexes is racy in LiteDB 5.0.21).</summary>
    /// <param name="file">The LiteDB file.</param>
    /// <param name="files">How <see cref="Sync"/> reaches the file system; the real one when null.</param>
    public LiteDbSessionStore(LiteDbFile file, IJournalFiles? files = null)
    {
        _file = file;
        _files = files ?? DiskJournalFiles.Instance;
        _file.Prepare("Preparing the sessions collection", database =>
        {
            database.Sessions.EnsureIndex("bot", "$.bot");
            // No index on `last`: every flush changes it for every session written, so keeping that index in order would
            // be a large share of each flush, while only the retention sweep filters on it, every few minutes, through
            // the `bot` index. Files made by earlier versions have the index: drop it.
            database.Sessions.DropIndex("last");
        });
    }

    /// <exception cref="InvalidDataException">The stored session cannot be read by this version.</exception>
    public Session? Find(string botId, string userKey)
    {
        var document = _file.Read($"Reading a session of bot '{botId}'", database => database.Sessions.FindById(StoreNames.IdOf(botId, userKey)));
        return document is null ? null : SessionDocuments.FromDocument(document);
    }

    /// <summary>One LiteDB transaction: committed to its log (without fsync) when this returns.</summary>
    public void Save(string botId, string userKey, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var document = SessionDocuments.ToDocument(StoreNames.IdOf(botId, userKey), botId, session);
        _file.Write($"Writing a session of bot '{botId}'", StoreNames.Sessions, sessions => sessions.Upsert(document));
    }

    public void SaveAll(IEnumerable<SessionWrite> writes) =>
        // One Upsert call for the whole batch: LiteDB sets up its snapshot, index and data services once, not per session.
        _file.Transaction("Writing a batch of sessions", database => database.Sessions.Upsert(writes.Select(DocumentOf)));

    /// <summary>The document of a write: straight from its journal record when it has one (the flush), else from the session.</summary>
    private static BsonDocument DocumentOf(SessionWrite write)
    {
        var id = StoreNames.IdOf(write.BotId, write.UserKey);
        return write.Record is { } record
            ? SessionDocuments.FromRecord(id, write.BotId, record)
            : SessionDocuments.ToDocument(id, write.BotId, write.Session);
    }

    /// <summary>
    /// fsyncs LiteDB's log and data file from outside (LiteDB 5.0.21 never does): a commit returned means the pages were
    /// handed to the OS, in one of the two (a checkpoint moves them from the log to the data file).
    /// </summary>
    public void Sync()
    {
        try
        {
            _files.SyncFile(StoreFiles.LogOf(_file.FileName));
            _files.SyncFile(_file.FileName);
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Syncing the data file to the disk");
        }
    }

    public IReadOnlyList<string> IdsAfter(string? after, int count) =>
        _file.Read("Listing the stored sessions", database => IdsQuery(database.Sessions, after, count)
            .ToEnumerable()
            .Select(document => document["_id"].AsString)
            .ToList());

    /// <summary>
    /// Up to <paramref name="count"/> ids after <paramref name="after"/>, in order, read from the <c>_id</c> index alone:
    /// LiteDB loads no document for a query that uses only the indexed field (a million ids: 1.2 s instead of 3–4.5 s, half
    /// the garbage).
    /// </summary>
    internal static ILiteQueryableResult<BsonDocument> IdsQuery(ILiteCollection<BsonDocument> sessions, string? after, int count) =>
        sessions.Query()
            .Where(BsonExpression.Create("_id > @0", after is null ? BsonValue.MinValue : new BsonValue(after)))
            .Select(BsonExpression.Create("{ _id }"))
            .Limit(count);

    public bool Delete(string botId, string userKey) =>
        _file.Write($"Deleting a session of bot '{botId}'", StoreNames.Sessions, sessions => sessions.Delete(StoreNames.IdOf(botId, userKey)));

    /// <remarks>A session with no last message time counts as inactive (LiteDB orders null before every number).</remarks>
    public int DeleteInactiveSince(string botId, DateTimeOffset cutoff) =>
        _file.Write($"Deleting the inactive sessions of bot '{botId}'", StoreNames.Sessions, sessions =>
            sessions.DeleteMany("$.bot = @0 AND $.last < @1", new BsonValue(botId), new BsonValue(cutoff.UtcTicks)));

    public int Count(string botId) =>
        _file.Read($"Counting the sessions of bot '{botId}'", database =>
            database.Sessions.Count(BsonExpression.Create("$.bot = @0", new BsonValue(botId))));

    /// <summary>
    /// Writes the session writes held in journal <paramref name="segments"/> (oldest first, so a user's last write wins),
    /// one transaction per segment, then deletes the segments. Returns the records applied, those skipped because they
    /// could not be read as a session (a complete record with a good CRC that is not one was written by another version),
    /// and the damaged records skipped (<see cref="JournalFrames"/>). Skipping loses those writes; refusing to start would
    /// stop every bot.
    /// </summary>
    public JournalReplay Replay(IReadOnlyList<string> segments)
    {
        var applied = 0;
        var skipped = 0;
        var damaged = 0;
        foreach (var segment in segments)
        {
            // Read before the transaction: a segment that cannot be read is the journal's failure, not the database's.
            var contents = Journal(() => SessionJournal.ReadSegment(segment));
            damaged += contents.Damaged;
            var writes = new List<SessionWrite>();
            foreach (var record in contents.Records)
            {
                try
                {
                    var (botId, userKey, session) = SessionRecord.Read(record);
                    writes.Add(new SessionWrite(botId, userKey, session));
                }
                catch (InvalidDataException)
                {
                    skipped++;
                }
            }

            SaveAll(writes);
            applied += writes.Count;
        }

        Journal(() =>
        {
            foreach (var segment in segments)
            {
                File.Delete(segment);
            }

            return true;
        });
        return new JournalReplay(applied, skipped, damaged);
    }

    private static T Journal<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Replaying the session journal");
        }
    }
}

/// <summary>What a journal replay did: writes applied, records that were not sessions, damaged records skipped.</summary>
internal readonly record struct JournalReplay(int Applied, int NotSessions, int Damaged);
