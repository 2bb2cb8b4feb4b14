using System.Collections.Immutable;
using System.Text.Json;
using KakaoFlow.Store.Tests.Support;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using LiteDB;

namespace KakaoFlow.Store.Tests;

/// <summary>The LiteDB store on its own: exact round trips, sweeping queries, bot data, closing and reopening.</summary>
public sealed class StoreTests : TempStoreFile
{
    [Fact]
    public void A_session_round_trips_exactly_across_a_reopen()
    {
        var vars = ImmutableDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, JsonElement>
        {
            ["item"] = FlowValues.Text("불고기 피자"),
            ["price"] = FlowValues.Number(18000),
            ["half"] = FlowValues.Number(1.5),
            ["paid"] = FlowValues.Boolean(false),
            ["nothing"] = FlowValues.Null,
            ["cart"] = JsonDocument.Parse("""[{"name":"콜라","count":2}]""").RootElement.Clone(),
        });
        var session = new Session
        {
            StepId = "home/메뉴 보기",
            Vars = vars,
            LastMessageAt = new DateTimeOffset(2026, 11, 25, 12, 34, 56, 789, TimeSpan.FromHours(9)).AddTicks(1234),
            FlowVersion = "abc123",
            Choice = new DynamicChoice(["A", "B"], "pick", "confirm"),
            Page = 2,
        };

        using (var store = new LiteDbStore(StoreFile))
        {
            store.Sessions.Save("pizza", "user\u00e9", session);
        }

        using (var store = new LiteDbStore(StoreFile))
        {
            var read = store.Sessions.Find("pizza", "user\u00e9");
            SessionAssert.Same(session, read);
            Assert.Equal(session.LastMessageAt.Value.UtcTicks, read!.LastMessageAt!.Value.UtcTicks);
            Assert.Null(store.Sessions.Find("faq", "user\u00e9"));
            Assert.Equal(1, store.Sessions.Count("pizza"));
        }
    }

    [Fact]
    public void Sweeping_deletes_only_the_bots_inactive_sessions_and_blocked_friends()
    {
        var start = new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);
        using var store = new LiteDbStore(StoreFile);
        store.Sessions.Save("pizza", "old", Session.New with { LastMessageAt = start });
        store.Sessions.Save("pizza", "new", Session.New with { LastMessageAt = start.AddDays(10) });
        store.Sessions.Save("faq", "old", Session.New with { LastMessageAt = start });
        store.Friends.MarkAdded("pizza", "old", start);
        store.Friends.MarkAdded("pizza", "gone", start);
        store.Friends.MarkBlocked("pizza", "gone", start.AddMinutes(1));

        Assert.Equal(1, store.Sessions.DeleteInactiveSince("pizza", start.AddDays(1)));
        Assert.Equal(1, store.Friends.DeleteBlockedSince("pizza", start.AddDays(1)));

        Assert.Null(store.Sessions.Find("pizza", "old"));
        Assert.NotNull(store.Sessions.Find("pizza", "new"));
        Assert.NotNull(store.Sessions.Find("faq", "old"));
        Assert.Equal(FriendState.Friend, store.Friends.Find("pizza", "old")?.State);
        Assert.Null(store.Friends.Find("pizza", "gone"));
    }

    [Fact]
    public void Bot_data_is_per_bot_json()
    {
        using var store = new LiteDbStore(StoreFile);
        store.BotData.Set("pizza", "orders", FlowValues.Number(3));
        store.BotData.Set("pizza", "menu", JsonDocument.Parse("""{"오늘":"불고기"}""").RootElement.Clone());
        store.BotData.Set("faq", "orders", FlowValues.Number(9));

        Assert.Equal(3, store.BotData.Get("pizza", "orders")?.GetDouble());
        Assert.Equal("불고기", store.BotData.Get("pizza", "menu")?.GetProperty("오늘").GetString());
        Assert.Equal(["menu", "orders"], store.BotData.Keys("pizza"));
        Assert.True(store.BotData.Delete("pizza", "orders"));
        Assert.False(store.BotData.Delete("pizza", "orders"));
        Assert.Null(store.BotData.Get("pizza", "orders"));
        Assert.Equal(9, store.BotData.Get("faq", "orders")?.GetDouble());
    }

    [Fact]
    public void A_file_made_by_an_earlier_version_opens_keeps_its_sessions_and_trades_its_indexes_on_last_and_bot_for_idle()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        // LiteDB's default collation (culture, IgnoreCase) and the index on `last`, as earlier versions made files.
        using (var old = new LiteDatabase(new ConnectionString { Filename = StoreFile }))
        {
            var sessions = old.GetCollection("sessions");
            sessions.EnsureIndex("bot", "$.bot");
            sessions.EnsureIndex("last", "$.last");
            sessions.Insert(new BsonDocument { ["_id"] = "pizza\u001f손님", ["bot"] = "pizza", ["step"] = "home/메뉴 보기", ["vars"] = "{}", ["last"] = 1L });
        }

        using (var store = new LiteDbStore(StoreFile))
        {
            Assert.Equal("home/메뉴 보기", store.Sessions.Find("pizza", "손님")?.StepId);
            Assert.Equal(1, store.Sessions.Count("pizza"));
        }

        using var reopened = new LiteDatabase(StoreFile);
        var indexes = reopened.GetCollection("$indexes").Find("$.collection = 'sessions'").Select(index => index["name"].AsString).Order();
        Assert.Equal(["_id", "idle"], indexes);
    }

    [Fact]
    public void Unreadable_variables_are_reported_as_invalid_data()
    {
        var document = new BsonDocument { ["_id"] = "x", ["bot"] = "pizza", ["step"] = "home", ["vars"] = "[1,2" };
        Assert.Throws<InvalidDataException>(() => SessionDocuments.FromDocument(document));
        document["vars"] = "[1,2]";
        Assert.Throws<InvalidDataException>(() => SessionDocuments.FromDocument(document));
    }
}
