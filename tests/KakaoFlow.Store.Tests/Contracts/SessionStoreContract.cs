using System.Globalization;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests.Contracts;

/// <summary>What every <see cref="ISessionStore"/> does. A store joins with one subclass (see <see cref="StoreContract{TStore}"/>).</summary>
public abstract class SessionStoreContract : StoreContract<ISessionStore>
{
    private const string Bot = "피자봇";

    [Fact]
    public void A_user_without_a_session_has_none()
    {
        Assert.Null(Store.Find(Bot, "손님"));
        Assert.Equal(0, Store.Count(Bot));
        Assert.False(Store.Delete(Bot, "손님"));
    }

    [Fact]
    public void A_saved_session_is_found_exactly_and_survives_a_restart()
    {
        var session = Sessions.Turn("손님", 1);
        Store.Save(Bot, "손님", session);

        SessionAssert.Same(session, Store.Find(Bot, "손님"));
        var restarted = Restart();
        var found = restarted.Find(Bot, "손님");
        SessionAssert.Same(session, found);
        Assert.Equal(session.LastMessageAt!.Value.UtcTicks, found!.LastMessageAt!.Value.UtcTicks);
        Assert.Equal(1, restarted.Count(Bot));
    }

    [Fact]
    public async Task A_session_saved_asynchronously_is_found_and_survives_a_restart()
    {
        await Store.SaveAsync(Bot, "손님", Sessions.Turn("손님", 1));

        SessionAssert.Same(Sessions.Turn("손님", 1), Store.Find(Bot, "손님"));
        SessionAssert.Same(Sessions.Turn("손님", 1), Restart().Find(Bot, "손님"));
    }

    [Fact]
    public async Task A_session_read_asynchronously_is_the_one_read_synchronously_also_after_a_restart()
    {
        Store.Save(Bot, "손님", Sessions.Turn("손님", 1));

        Assert.Null(await Store.FindAsync(Bot, "처음 온 손님"));
        SessionAssert.Same(Sessions.Turn("손님", 1), await Store.FindAsync(Bot, "손님"));
        var restarted = Restart(); // a store that caches must read its file now
        SessionAssert.Same(Sessions.Turn("손님", 1), await restarted.FindAsync(Bot, "손님"));
        Assert.Null(await restarted.FindAsync(Bot, "처음 온 손님"));
    }

    [Fact]
    public void Saving_again_overwrites_the_users_session()
    {
        Store.Save(Bot, "손님", Sessions.Turn("손님", 1));
        Store.Save(Bot, "손님", Sessions.Turn("손님", 2));

        SessionAssert.Same(Sessions.Turn("손님", 2), Store.Find(Bot, "손님"));
        Assert.Equal(1, Store.Count(Bot));
        SessionAssert.Same(Sessions.Turn("손님", 2), Restart().Find(Bot, "손님"));
    }

    [Fact]
    public void Korean_and_other_unicode_in_ids_and_variables_round_trip()
    {
        var session = Session.New with
        {
            StepId = "메뉴/🍕 피자",
            Vars = Session.New.Vars
                .SetItem("주소", FlowValues.Text("서울시 마포구 월드컵로 12, 301호"))
                .SetItem("emoji🍕", FlowValues.Text("\u00e9 e\u0301 \u0000 \t \"따옴표\""))
                .SetItem("빈값", FlowValues.Text("")),
        };
        Store.Save("봇-한글", "사용자-키-😀", session);

        SessionAssert.Same(session, Store.Find("봇-한글", "사용자-키-😀"));
        SessionAssert.Same(session, Restart().Find("봇-한글", "사용자-키-😀"));
    }

    [Fact]
    public void Keys_are_case_sensitive_ordinal_strings()
    {
        // Culture-aware or case-insensitive comparison would merge some of these.
        string[] users = ["AbC", "abc", "ABC", "\u00e9", "e\u0301", "straße", "strasse", "İ", "i"];
        foreach (var user in users)
        {
            Store.Save("bot", user, Session.New with { StepId = "step-" + user });
        }

        Store.Save("Bot", "abc", Session.New with { StepId = "other bot" });

        foreach (var user in users)
        {
            Assert.Equal("step-" + user, Store.Find("bot", user)?.StepId);
        }

        Assert.Equal("other bot", Store.Find("Bot", "abc")?.StepId);
        Assert.Null(Store.Find("BOT", "abc"));
        Assert.Equal(users.Length, Store.Count("bot"));
        Assert.Equal(1, Store.Count("Bot"));

        Assert.True(Store.Delete("bot", "abc"));
        Assert.Equal("step-AbC", Store.Find("bot", "AbC")?.StepId);
        Assert.Equal("other bot", Store.Find("Bot", "abc")?.StepId);
    }

    [Fact]
    public void Delete_removes_only_that_users_session_for_good()
    {
        Store.Save(Bot, "탈퇴손님", Sessions.Turn("탈퇴손님", 1));
        Store.Save(Bot, "남은손님", Sessions.Turn("남은손님", 1));
        Store.Save("다른봇", "탈퇴손님", Sessions.Turn("탈퇴손님", 1));

        Assert.True(Store.Delete(Bot, "탈퇴손님"));
        Assert.False(Store.Delete(Bot, "탈퇴손님"));

        Assert.Null(Store.Find(Bot, "탈퇴손님"));
        Assert.Equal(1, Store.Count(Bot));
        var restarted = Restart();
        Assert.Null(restarted.Find(Bot, "탈퇴손님"));
        SessionAssert.Same(Sessions.Turn("남은손님", 1), restarted.Find(Bot, "남은손님"));
        SessionAssert.Same(Sessions.Turn("탈퇴손님", 1), restarted.Find("다른봇", "탈퇴손님"));
    }

    [Fact]
    public void Deleting_inactive_sessions_deletes_exactly_those_before_the_cutoff()
    {
        var cutoff = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        Store.Save(Bot, "long-ago", Sessions.LastSeen(cutoff.AddDays(-30)));
        Store.Save(Bot, "one-tick-before", Sessions.LastSeen(cutoff.AddTicks(-1)));
        Store.Save(Bot, "at-the-cutoff", Sessions.LastSeen(cutoff));
        Store.Save(Bot, "after", Sessions.LastSeen(cutoff.AddTicks(1)));
        // The same instants written with another offset compare as instants, not as local times.
        Store.Save(Bot, "before-in-seoul", Sessions.LastSeen(cutoff.AddTicks(-1).ToOffset(TimeSpan.FromHours(9))));
        Store.Save(Bot, "after-in-seoul", Sessions.LastSeen(cutoff.AddMinutes(1).ToOffset(TimeSpan.FromHours(9))));
        Store.Save(Bot, "never-wrote", Sessions.LastSeen(null));
        Store.Save("다른봇", "long-ago", Sessions.LastSeen(cutoff.AddDays(-30)));

        Assert.Equal(4, Store.DeleteInactiveSince(Bot, cutoff));

        Assert.Null(Store.Find(Bot, "long-ago"));
        Assert.Null(Store.Find(Bot, "one-tick-before"));
        Assert.Null(Store.Find(Bot, "before-in-seoul"));
        Assert.Null(Store.Find(Bot, "never-wrote"));
        Assert.NotNull(Store.Find(Bot, "at-the-cutoff"));
        Assert.NotNull(Store.Find(Bot, "after"));
        Assert.NotNull(Store.Find(Bot, "after-in-seoul"));
        Assert.NotNull(Store.Find("다른봇", "long-ago"));
        Assert.Equal(3, Store.Count(Bot));
        Assert.Equal(0, Store.DeleteInactiveSince(Bot, cutoff));

        var restarted = Restart();
        Assert.Equal(3, restarted.Count(Bot));
        Assert.Null(restarted.Find(Bot, "long-ago"));
    }

    [Fact]
    public void Count_counts_users_of_one_bot()
    {
        for (var i = 0; i < 7; i++)
        {
            Store.Save(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1));
            Store.Save(Bot, UserKey(i), Sessions.Turn(UserKey(i), 2));
        }

        Store.Save("다른봇", UserKey(0), Sessions.Turn(UserKey(0), 1));

        Assert.Equal(7, Store.Count(Bot));
        Assert.Equal(1, Store.Count("다른봇"));
        Assert.Equal(0, Store.Count("없는봇"));
    }

    [Fact]
    public async Task Concurrent_saves_of_many_users_from_many_threads_are_all_stored()
    {
        const int users = 300;
        const int turns = 3;

        // Each user's turns in order (as under the host's per-user lock); users interleave on many threads.
        await Parallel.ForAsync(0, users, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            for (var turn = 1; turn <= turns; turn++)
            {
                if (turn == 2)
                {
                    Store.Save(Bot, UserKey(i), Sessions.Turn(UserKey(i), turn));
                }
                else
                {
                    await Store.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), turn));
                }

                SessionAssert.Same(Sessions.Turn(UserKey(i), turn), Store.Find(Bot, UserKey(i)));
            }
        });

        Assert.Equal(users, Store.Count(Bot));
        var restarted = Restart();
        Assert.Equal(users, restarted.Count(Bot));
        for (var i = 0; i < users; i++)
        {
            SessionAssert.Same(Sessions.Turn(UserKey(i), turns), restarted.Find(Bot, UserKey(i)));
        }
    }

    private static string UserKey(int i) => "손님-" + i.ToString(CultureInfo.InvariantCulture);
}
