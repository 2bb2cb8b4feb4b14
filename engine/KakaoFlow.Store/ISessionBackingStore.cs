using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Store;

/// <summary>
/// Where <see cref="JournaledSessionStore"/> writes the sessions its journal holds: a store whose writes are durable by
/// themselves, plus a batch write. <see cref="LiteDbSessionStore"/> is the one in use.
/// </summary>
internal interface ISessionBackingStore : ISessionStore
{
    /// <summary>
    /// Writes every session of <paramref name="writes"/>: when this returns all of them are stored; when it throws, some
    /// may be (each one whole), and the caller writes them all again (a session written twice is stored once). The
    /// sequence is enumerated once, inside the writes (it may pause between items). <paramref name="catchingUp"/>, asked
    /// as each transaction of the batch begins (a writer can fall behind while it writes): writes wait for this batch,
    /// so the store may hold more memory to write it sooner.
    /// </summary>
    void SaveAll(IEnumerable<SessionWrite> writes, Func<bool> catchingUp);

    /// <summary>
    /// Waits <paramref name="pause"/> between two items of the sequence a <see cref="SaveAll"/> is enumerating (called by
    /// that sequence), letting other calls into the store meanwhile.
    /// </summary>
    void PauseWriting(TimeSpan pause);

    /// <summary>Makes everything stored so far survive a power cut (fsync); called before the journal segments it replaces are deleted.</summary>
    void Sync();

    /// <summary>
    /// Up to <paramref name="count"/> ids of stored sessions (<see cref="StoreNames.IdOf"/>) in id order, after
    /// <paramref name="after"/> (from the first when null): a page of a scan that holds no lock between pages.
    /// </summary>
    IReadOnlyList<string> IdsAfter(string? after, int count);
}

/// <summary>One session write: the user's key and the whole session, as objects or as its journal record.</summary>
internal readonly struct SessionWrite
{
    private readonly Session? _session;

    public SessionWrite(string botId, string userKey, Session session)
    {
        BotId = botId;
        UserKey = userKey;
        _session = session;
    }

    private SessionWrite(string botId, string userKey, byte[] record, bool neverStored)
    {
        BotId = botId;
        UserKey = userKey;
        Record = record;
        NeverStored = neverStored;
    }

    public string BotId { get; }

    public string UserKey { get; }

    /// <summary>The session as its journal record (<see cref="SessionRecord"/>), when it was written as one.</summary>
    public byte[]? Record { get; }

    /// <summary>The session; read from <see cref="Record"/> when written as one.</summary>
    public Session Session => _session ?? SessionRecord.Read(Record!).Session;

    /// <summary>
    /// Whether the writer's record of stored users (<see cref="JournaledSessionStore"/>'s known users, compared ordinally)
    /// says the store never held this user, so the store may add it without looking for it first. A store that does and
    /// finds the user there after all fails the batch (<see cref="ISessionBackingStore.SaveAll"/> throws); the writer then
    /// writes it again without the mark.
    /// </summary>
    public bool NeverStored { get; }

    /// <summary>A write of the session a journal record holds, for a store that can take the record as it is.</summary>
    public static SessionWrite OfRecord(string botId, string userKey, byte[] record, bool neverStored = false) => new(botId, userKey, record, neverStored);
}
