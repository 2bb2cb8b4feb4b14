using System.Globalization;
using KakaoFlow.Store.Tests.Support;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store;

namespace KakaoFlow.Store.Tests;

/// <summary>Session writes committed together (<see cref="ISessionStore.SaveAsync"/>): each one acknowledged is stored, in order per user.</summary>
public sealed class GroupCommitTests : TempStoreFile
{
    [Fact]
    public async Task Every_acknowledged_concurrent_write_is_stored_and_survives_a_reopen()
    {
        const int users = 500;
        var at = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        using (var store = new LiteDbStore(StoreFile))
        {
            // Several writes per user, each awaited before the next (as the host does under the user's lock);
            // users interleave, so batches mix users.
            await Parallel.ForAsync(0, users, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
            {
                for (var turn = 1; turn <= 3; turn++)
                {
                    var session = new Session { StepId = "step" + turn, LastMessageAt = at.AddSeconds(turn), FlowVersion = "v1" };
                    await store.Sessions.SaveAsync("bot", UserKey(i), session);
                }
            });

            Assert.Equal(users, store.Sessions.Count("bot"));
        }

        using (var reopened = new LiteDbStore(StoreFile))
        {
            for (var i = 0; i < users; i++)
            {
                var session = reopened.Sessions.Find("bot", UserKey(i));
                Assert.NotNull(session);
                Assert.Equal("step3", session.StepId);
                Assert.Equal(at.AddSeconds(3), session.LastMessageAt);
            }
        }
    }

    [Fact]
    public async Task User_keys_differing_only_in_case_are_different_users()
    {
        using var store = new LiteDbStore(StoreFile);
        await store.Sessions.SaveAsync("bot", "AbC", new Session { StepId = "upper" });
        await store.Sessions.SaveAsync("bot", "abc", new Session { StepId = "lower" });

        Assert.Equal("upper", store.Sessions.Find("bot", "AbC")?.StepId);
        Assert.Equal("lower", store.Sessions.Find("bot", "abc")?.StepId);
    }

    [Fact]
    public async Task A_write_after_the_store_is_closed_fails_instead_of_being_lost()
    {
        var store = new LiteDbStore(StoreFile);
        var sessions = store.Sessions;
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => sessions.SaveAsync("bot", "u", Session.New));
    }

    private static string UserKey(int i) => "user-" + i.ToString(CultureInfo.InvariantCulture);
}
