using KakaoFlow.Storage;

namespace KakaoFlow.Store.Tests.Contracts;

/// <summary>What every <see cref="IFriendStore"/> does. A store joins with one subclass (see <see cref="StoreContract{TStore}"/>).</summary>
public abstract class FriendStoreContract : StoreContract<IFriendStore>
{
    private const string Bot = "피자봇";
    private static readonly DateTimeOffset Added = new(2026, 11, 1, 9, 30, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset Blocked = Added.AddDays(3).AddTicks(7);

    [Fact]
    public void A_user_who_never_added_the_bot_has_no_record()
    {
        Assert.Null(Store.Find(Bot, "손님"));
    }

    [Fact]
    public void Adding_the_bot_makes_a_friend_and_survives_a_restart()
    {
        var record = Store.MarkAdded(Bot, "손님", Added);

        Assert.Equal(new FriendRecord(FriendState.Friend, Added, null, Added), record);
        Assert.Equal(record, Store.Find(Bot, "손님"));
        Assert.Equal(record, Restart().Find(Bot, "손님"));
    }

    [Fact]
    public void Blocking_keeps_the_add_time_and_adding_again_keeps_the_block_time()
    {
        Store.MarkAdded(Bot, "손님", Added);

        var blocked = Store.MarkBlocked(Bot, "손님", Blocked);
        Assert.Equal(new FriendRecord(FriendState.Blocked, Added, Blocked, Blocked), blocked);
        Assert.Equal(blocked, Store.Find(Bot, "손님"));

        var readded = Added.AddDays(10);
        var again = Store.MarkAdded(Bot, "손님", readded);
        Assert.Equal(new FriendRecord(FriendState.Friend, readded, Blocked, readded), again);
        Assert.Equal(again, Restart().Find(Bot, "손님"));
    }

    [Fact]
    public void Blocking_without_an_add_has_no_add_time()
    {
        Assert.Equal(new FriendRecord(FriendState.Blocked, null, Blocked, Blocked), Store.MarkBlocked(Bot, "손님", Blocked));
        Assert.Equal(FriendState.Blocked, Store.Find(Bot, "손님")?.State);
    }

    [Fact]
    public void Deleting_blocked_records_deletes_only_blocks_older_than_the_cutoff()
    {
        var cutoff = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        Store.MarkAdded(Bot, "old-friend", cutoff.AddYears(-1));
        Store.MarkBlocked(Bot, "blocked-long-ago", cutoff.AddDays(-30));
        Store.MarkBlocked(Bot, "blocked-one-tick-before", cutoff.AddTicks(-1));
        Store.MarkBlocked(Bot, "blocked-at-the-cutoff", cutoff);
        Store.MarkBlocked(Bot, "blocked-after", cutoff.AddTicks(1));
        // Blocked long ago, then friends again: a friend is never swept.
        Store.MarkBlocked(Bot, "back-again", cutoff.AddDays(-30));
        Store.MarkAdded(Bot, "back-again", cutoff.AddDays(-20));
        Store.MarkBlocked("다른봇", "blocked-long-ago", cutoff.AddDays(-30));

        Assert.Equal(2, Store.DeleteBlockedSince(Bot, cutoff));

        Assert.Null(Store.Find(Bot, "blocked-long-ago"));
        Assert.Null(Store.Find(Bot, "blocked-one-tick-before"));
        Assert.NotNull(Store.Find(Bot, "blocked-at-the-cutoff"));
        Assert.NotNull(Store.Find(Bot, "blocked-after"));
        Assert.Equal(FriendState.Friend, Store.Find(Bot, "old-friend")?.State);
        Assert.Equal(FriendState.Friend, Store.Find(Bot, "back-again")?.State);
        Assert.NotNull(Store.Find("다른봇", "blocked-long-ago"));
        Assert.Null(Restart().Find(Bot, "blocked-long-ago"));
    }

    [Fact]
    public void Keys_are_case_sensitive_ordinal_strings()
    {
        Store.MarkAdded("bot", "AbC", Added);
        Store.MarkBlocked("bot", "abc", Blocked);
        Store.MarkAdded("bot", "\u00e9", Added);

        Assert.Equal(FriendState.Friend, Store.Find("bot", "AbC")?.State);
        Assert.Equal(FriendState.Blocked, Store.Find("bot", "abc")?.State);
        Assert.Null(Store.Find("bot", "ABC"));
        Assert.Null(Store.Find("bot", "e\u0301"));
        Assert.Null(Store.Find("Bot", "AbC"));
    }
}
