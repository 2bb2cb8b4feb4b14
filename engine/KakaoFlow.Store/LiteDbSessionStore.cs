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
    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _collection;

    /// <summary>Opens the collection and its index; call once, at start-up (creating indexes is racy in LiteDB 5.0.21).</summary>
    public LiteDbSessionStore(LiteDatabase database)
    {
        _database = database;
        _collection = database.GetCollection(StoreNames.Sessions);
        _collection.EnsureIndex("bot", "$.bot");
        // No index on `last`: every flush changes it for every session written, so keeping that index in order would be
        // a large share of each flush, while only the retention sweep filters on it, every few minutes, through the
        // `bot` index. Files made by earlier versions have the index: drop it.
        _collection.DropIndex("last");
    }

    /// <exception cref="InvalidDataException">The stored session cannot be read by this version.</exception>
    public Session? Find(string botId, string userKey)
    {
        BsonDocument? document;
        try
        {
            document = _collection.FindById(StoreNames.IdOf(botId, userKey));
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Reading a session of bot '{botId}'");
        }

        return document is null ? null : SessionDocuments.FromDocument(document);
    }

    /// <summary>One LiteDB transaction: committed to its log (without fsync) when this returns.</summary>
    public void Save(string botId, string userKey, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        try
        {
            _collection.Upsert(SessionDocuments.ToDocument(StoreNames.IdOf(botId, userKey), botId, session));
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Writing a session of bot '{botId}'");
        }
    }

    public void SaveAll(IEnumerable<SessionWrite> writes)
    {
        try
        {
            // One Upsert call for the whole batch: LiteDB sets up its snapshot, index and data services once, not per session.
            _database.InTransaction(() => _collection.Upsert(writes.Select(write =>
                SessionDocuments.ToDocument(StoreNames.IdOf(write.BotId, write.UserKey), write.BotId, write.Session))));
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Writing a batch of sessions");
        }
    }

    public bool Delete(string botId, string userKey)
    {
        try
        {
            return _collection.Delete(StoreNames.IdOf(botId, userKey));
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Deleting a session of bot '{botId}'");
        }
    }

    /// <remarks>A session with no last message time counts as inactive (LiteDB orders null before every number).</remarks>
    public int DeleteInactiveSince(string botId, DateTimeOffset cutoff)
    {
        try
        {
            return _collection.DeleteMany("$.bot = @0 AND $.last < @1", new BsonValue(botId), new BsonValue(cutoff.UtcTicks));
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Deleting the inactive sessions of bot '{botId}'");
        }
    }

    public int Count(string botId)
    {
        try
        {
            return _collection.Count(BsonExpression.Create("$.bot = @0", new BsonValue(botId)));
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Counting the sessions of bot '{botId}'");
        }
    }

    /// <summary>
    /// Writes the session writes held in journal <paramref name="segments"/> (oldest first, so a user's last write wins),
    /// one transaction per segment, then deletes the segments. Returns the records applied and those skipped because
    /// they could not be read as a session: a complete record with a good CRC that is not one was written by another
    /// version; skipping it loses that one write, refusing to start would stop every bot.
    /// </summary>
    public (int Applied, int Skipped) Replay(IReadOnlyList<string> segments)
    {
        var applied = 0;
        var skipped = 0;
        foreach (var segment in segments)
        {
            // A segment that cannot be read fails inside SaveAll, which translates it like LiteDB's own errors.
            SaveAll(ReadWrites(segment));
        }

        try
        {
            foreach (var segment in segments)
            {
                File.Delete(segment);
            }
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Deleting the replayed session journal");
        }

        return (applied, skipped);

        IEnumerable<SessionWrite> ReadWrites(string segment)
        {
            foreach (var record in SessionJournal.ReadSegment(segment))
            {
                (string BotId, string UserKey, Session Session) write;
                try
                {
                    write = SessionRecord.Read(record);
                }
                catch (InvalidDataException)
                {
                    skipped++;
                    continue;
                }

                applied++;
                yield return new SessionWrite(write.BotId, write.UserKey, write.Session);
            }
        }
    }
}
