using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// On a real LiteDB file: the scan that loads the stored users into the filter of known users pages through the
/// sessions collection in id order, and a store opened on a file with sessions answers new users without reading it.
/// </summary>
public sealed class KnownUsersTests : TempStoreFile
{
    private const string Bot = "피자봇";

    [Fact]
    public void The_stored_ids_are_listed_page_by_page_in_id_order_each_once()
    {
        using var database = OpenDataFile();
        var sessions = new LiteDbSessionStore(database);
        var users = Enumerable.Range(0, 45).Select(i => "손님-" + i).ToList();
        sessions.SaveAll(users.Select(user => new SessionWrite(Bot, user, Session.New)), catchingUp: false);
        sessions.Save("꽃집봇", "손님-0", Session.New);

        var listed = new List<string>();
        string? after = null;
        while (true)
        {
            var page = sessions.IdsAfter(after, 10);
            listed.AddRange(page);
            if (page.Count < 10)
            {
                break;
            }

            after = page[^1];
        }

        var expected = users.Select(user => StoreNames.IdOf(Bot, user)).Append(StoreNames.IdOf("꽃집봇", "손님-0")).Order(StringComparer.Ordinal);
        Assert.Equal(expected, listed);
    }

    [Fact]
    public void The_ids_are_read_from_the_index_without_loading_a_session()
    {
        using var database = OpenDataFile();
        var sessions = new LiteDbSessionStore(database);
        sessions.SaveAll(Enumerable.Range(0, 20).Select(i => new SessionWrite(Bot, "손님-" + i, Session.New)), catchingUp: false);

        var plan = database.Read("planning", open => LiteDbSessionStore.IdsQuery(open.Sessions, StoreNames.IdOf(Bot, "손님-1"), 10).GetPlan());

        Assert.Equal("_id", plan["index"]["name"].AsString);
        Assert.Equal("index", plan["lookup"]["loader"].AsString); // "document" would read every session
    }

    [Fact]
    public async Task A_store_opened_on_a_file_with_sessions_finds_each_of_them_and_answers_new_users_from_the_filter()
    {
        // More users than a page of the start-up scan (4,000), twice over: every page is read.
        const int Users = 9_000;
        using (var first = new LiteDbStore(StoreFile))
        {
            for (var i = 0; i < Users; i++)
            {
                await first.Sessions.SaveAsync(Bot, "손님-" + i, Session.New with { StepId = "주문", Vars = Session.New.Vars });
            }
        }

        using var store = new LiteDbStore(StoreFile, new SessionStoreOptions { CacheCapacity = 1, PackedCacheBytes = 0 });
        var sessions = (JournaledSessionStore)store.Sessions;
        await sessions.KnownUsersLoaded;

        Assert.True(sessions.KnowsNewUsers);
        Assert.All(Enumerable.Range(0, Users), i => Assert.Equal("주문", store.Sessions.Find(Bot, "손님-" + i)?.StepId));
        Assert.Null(store.Sessions.Find(Bot, "새손님"));
        Assert.Null(store.Sessions.Find("꽃집봇", "손님-1"));
    }
}
