using KakaoFlow.Storage;

namespace KakaoFlow.Store.Tests.Contracts;

// InMemoryStore: Restart gives back the same store (nothing to close; nothing survives the instance either).

public sealed class InMemorySessions : SessionStoreContract
{
    private readonly InMemoryStore _memory = new();

    protected override ISessionStore Open() => _memory.Sessions;
}

public sealed class InMemoryFriends : FriendStoreContract
{
    private readonly InMemoryStore _memory = new();

    protected override IFriendStore Open() => _memory.Friends;
}

public sealed class InMemoryBotData : BotDataStoreContract
{
    private readonly InMemoryStore _memory = new();

    protected override IBotDataStore Open() => _memory.BotData;
}

public sealed class InMemoryServices : ServiceStoreContract
{
    private readonly InMemoryStore _memory = new();

    protected override ServiceStores Open() => new(_memory.Services, _memory.Friends);
}
