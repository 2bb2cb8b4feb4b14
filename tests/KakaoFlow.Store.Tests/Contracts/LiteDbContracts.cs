using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests.Contracts;

// The LiteDB store on a real file in a temp folder; Restart closes it cleanly and opens the same file again.

public sealed class LiteDbSessions : SessionStoreContract
{
    private readonly LiteDbTestFile _file = new();

    protected override ISessionStore Open() => _file.Open().Sessions;

    protected override void Close() => _file.Close();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _file.Dispose();
    }
}

/// <summary>
/// The same store with a one-session cache and a flush every few milliseconds: most reads go to LiteDB, and flushes run
/// while the tests write.
/// </summary>
public sealed class LiteDbSessionsFlushingAllTheTime : SessionStoreContract
{
    private readonly LiteDbTestFile _file = new(new SessionStoreOptions { FlushInterval = TimeSpan.FromMilliseconds(5), CacheCapacity = 1, FlushPause = TimeSpan.Zero });

    protected override ISessionStore Open() => _file.Open().Sessions;

    protected override void Close() => _file.Close();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _file.Dispose();
    }
}

/// <summary>The plain LiteDB session store on its own, without the journal and cache in front of it.</summary>
public sealed class LiteDbSessionDocuments : SessionStoreContract
{
    private readonly LiteDbTestFile _file = new();
    private LiteDbFile? _database;

    protected override ISessionStore Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file.Path)!);
        _database = new LiteDbFile(_file.Path, new StoreHealth(TimeProvider.System, null));
        return new LiteDbSessionStore(_database);
    }

    protected override void Close()
    {
        _database?.Dispose();
        _database = null;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _file.Dispose();
    }
}

public sealed class LiteDbFriends : FriendStoreContract
{
    private readonly LiteDbTestFile _file = new();

    protected override IFriendStore Open() => _file.Open().Friends;

    protected override void Close() => _file.Close();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _file.Dispose();
    }
}

public sealed class LiteDbBotData : BotDataStoreContract
{
    private readonly LiteDbTestFile _file = new();

    protected override IBotDataStore Open() => _file.Open().BotData;

    protected override void Close() => _file.Close();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _file.Dispose();
    }
}

public sealed class LiteDbServices : ServiceStoreContract
{
    private readonly LiteDbTestFile _file = new();

    protected override ServiceStores Open()
    {
        var store = _file.Open();
        return new ServiceStores(store.Services, store.Friends);
    }

    protected override void Close() => _file.Close();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _file.Dispose();
    }
}
