using System.Text.Json;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Store.Tests.Contracts;

/// <summary>What every <see cref="IBotDataStore"/> does. A store joins with one subclass (see <see cref="StoreContract{TStore}"/>).</summary>
public abstract class BotDataStoreContract : StoreContract<IBotDataStore>
{
    private const string Bot = "피자봇";
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void A_key_never_set_has_no_value()
    {
        Assert.Null(Store.Get(Bot, "재고"));
        Assert.Empty(Store.Keys(Bot));
        Assert.False(Store.Delete(Bot, "재고"));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("-0.125")]
    [InlineData("\"불고기 🍕 \\\"라지\\\"\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""{"오늘":"불고기","재고":{"콜라":12,"사이다":[1,2,3]},"품절":false}""")]
    public void Any_JSON_value_round_trips_and_survives_a_restart(string json)
    {
        Store.Set(Bot, "값", Parse(json));

        Assert.Equal(Normalise(json), Normalise(Store.Get(Bot, "값")));
        Assert.Equal(Normalise(json), Normalise(Restart().Get(Bot, "값")));
    }

    [Fact]
    public void A_stored_value_outlives_the_callers_json_document()
    {
        using (var document = JsonDocument.Parse("""{"재고":5}"""))
        {
            Store.Set(Bot, "재고", document.RootElement);
        }

        Assert.Equal(5, Store.Get(Bot, "재고")?.GetProperty("재고").GetInt32());
    }

    [Fact]
    public void Setting_again_overwrites()
    {
        Store.Set(Bot, "주문수", FlowValues.Number(1));
        Store.Set(Bot, "주문수", FlowValues.Number(2));

        Assert.Equal(2, Store.Get(Bot, "주문수")?.GetDouble());
        Assert.Equal(["주문수"], Store.Keys(Bot));
    }

    [Fact]
    public void Delete_removes_one_key_of_one_bot_for_good()
    {
        Store.Set(Bot, "주문수", FlowValues.Number(1));
        Store.Set(Bot, "메뉴", FlowValues.Text("불고기"));
        Store.Set("다른봇", "주문수", FlowValues.Number(9));

        Assert.True(Store.Delete(Bot, "주문수"));
        Assert.False(Store.Delete(Bot, "주문수"));

        Assert.Null(Store.Get(Bot, "주문수"));
        var restarted = Restart();
        Assert.Null(restarted.Get(Bot, "주문수"));
        Assert.Equal("불고기", restarted.Get(Bot, "메뉴")?.GetString());
        Assert.Equal(9, restarted.Get("다른봇", "주문수")?.GetDouble());
    }

    [Fact]
    public void Keys_lists_one_bots_keys_in_ordinal_order()
    {
        foreach (var key in new[] { "b", "a", "B", "가", "A", "a2", "🍕" })
        {
            Store.Set(Bot, key, FlowValues.Number(1));
        }

        Store.Set("다른봇", "other", FlowValues.Number(1));
        Store.Set("피자봇2", "other", FlowValues.Number(1));

        Assert.Equal(["A", "B", "a", "a2", "b", "가", "🍕"], Store.Keys(Bot));
        Assert.Equal(["A", "B", "a", "a2", "b", "가", "🍕"], Restart().Keys(Bot));
    }

    [Fact]
    public void Keys_are_case_sensitive_ordinal_strings()
    {
        Store.Set("bot", "Key", FlowValues.Number(1));
        Store.Set("bot", "key", FlowValues.Number(2));
        Store.Set("Bot", "key", FlowValues.Number(3));
        Store.Set("bot", "\u00e9", FlowValues.Number(4));

        Assert.Equal(1, Store.Get("bot", "Key")?.GetDouble());
        Assert.Equal(2, Store.Get("bot", "key")?.GetDouble());
        Assert.Equal(3, Store.Get("Bot", "key")?.GetDouble());
        Assert.Null(Store.Get("bot", "KEY"));
        Assert.Null(Store.Get("bot", "e\u0301"));
        Assert.Equal(["Key", "key", "\u00e9"], Store.Keys("bot"));
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Normalise(string json) => Normalise(Parse(json));

    private static string Normalise(JsonElement? value)
    {
        Assert.NotNull(value);
        return JsonSerializer.Serialize(value.Value, Relaxed);
    }

    [Fact]
    public void A_write_past_the_bots_data_limit_fails_writes_nothing_and_the_limit_holds_after_a_restart()
    {
        var value = FlowValues.Text(new string('주', 1000));
        var size = BotDataSize.Of("주문1", value);
        var limit = (3 * size) + 100;
        for (var i = 1; i <= 3; i++)
        {
            Store.Set(Bot, $"주문{i}", value, limit);
        }

        var refused = Assert.Throws<BotDataLimitException>(() => Store.Set(Bot, "주문4", value, limit));
        Assert.Contains("settings.data_limit_mb", refused.Message, StringComparison.Ordinal);
        Assert.Null(Store.Get(Bot, "주문4"));
        Assert.Throws<BotDataLimitException>(() => Restart().Set(Bot, "주문4", value, limit));

        // Other bots have limits of their own; a write that does not grow the data passes even at the limit.
        Store.Set("다른봇", "주문1", value, limit);
        Store.Set(Bot, "주문1", value, limit);
        Store.Set(Bot, "주문1", FlowValues.Text("작게"), limit);

        // What a smaller value or a delete frees can be used again.
        Store.Set(Bot, "주문4", value, limit);
        Store.Delete(Bot, "주문2");
        Store.Set(Bot, "주문5", value, limit);
        Assert.Equal(["주문1", "주문3", "주문4", "주문5"], Store.Keys(Bot));

        // A lowered limit refuses growth only: what is there stays, and can shrink.
        Store.Set(Bot, "주문3", FlowValues.Text("작게"), size);
        Assert.Throws<BotDataLimitException>(() => Store.Set(Bot, "주문3", value, size));
    }
}
