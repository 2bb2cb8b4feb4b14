namespace KakaoFlow.Store.Tests;

public sealed class SessionKeyFilterTests
{
    [Fact]
    public void Every_user_added_is_kept_and_few_others_are_taken_for_one_at_its_capacity()
    {
        const int Users = 100_000;
        var filter = new SessionKeyFilter(Users);
        for (var i = 0; i < Users; i++)
        {
            filter.Add("피자봇", "손님-" + i);
        }

        Assert.All(Enumerable.Range(0, Users), i => Assert.True(filter.MightContain("피자봇", "손님-" + i)));
        var others = Enumerable.Range(0, Users).Count(i => filter.MightContain("피자봇", "새손님-" + i));
        Assert.InRange(others, 0, Users * 2 / 100);
        // The same user of another bot is another user.
        var otherBot = Enumerable.Range(0, Users).Count(i => filter.MightContain("꽃집봇", "손님-" + i));
        Assert.InRange(otherBot, 0, Users * 2 / 100);
    }

    [Fact]
    public void A_stored_id_is_the_same_user_as_its_bot_and_user_key()
    {
        var filter = new SessionKeyFilter(10_000);
        for (var i = 0; i < 1_000; i++)
        {
            filter.AddId(StoreNames.IdOf("피자봇", "손님-" + i));
        }

        Assert.All(Enumerable.Range(0, 1_000), i => Assert.True(filter.MightContain("피자봇", "손님-" + i)));
        Assert.InRange(Enumerable.Range(0, 1_000).Count(i => filter.MightContain("피자봇", "손님-" + (i + 1_000))), 0, 20);
    }

    [Fact]
    public void Adding_a_user_tells_whether_the_filter_might_have_held_them_already()
    {
        var filter = new SessionKeyFilter(10_000);
        filter.Add("피자봇", "단골");

        Assert.True(filter.Add("피자봇", "단골"));
        var firstAdds = Enumerable.Range(0, 1_000).Select(i => (Was: filter.MightContain("피자봇", "손님-" + i), Said: filter.Add("피자봇", "손님-" + i))).ToList();
        Assert.All(firstAdds, add => Assert.Equal(add.Was, add.Said));
        Assert.InRange(firstAdds.Count(add => add.Said), 0, 20); // a new user is mostly said to be new
    }

    [Fact]
    public async Task Users_added_from_many_threads_at_once_are_all_kept()
    {
        var filter = new SessionKeyFilter(200_000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                filter.Add("bot", $"{thread}-{i}");
            }
        })));

        Assert.All(Enumerable.Range(0, 8), thread =>
            Assert.All(Enumerable.Range(0, 20_000), i => Assert.True(filter.MightContain("bot", $"{thread}-{i}"))));
    }
}
