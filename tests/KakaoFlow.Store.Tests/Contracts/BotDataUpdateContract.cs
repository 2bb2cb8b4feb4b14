using System.Text.Json;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Store.Tests.Contracts;

/// <summary>
/// What every <see cref="IBotDataStore"/> does for <c>data.update</c> and a turn's buffered writes
/// (<see cref="IBotDataStore.Update"/>, <see cref="IBotDataStore.Apply"/>). A store joins with one subclass.
/// </summary>
public abstract class BotDataUpdateContract : StoreContract<IBotDataStore>
{
    private const string Bot = "shop";
    private const long NoLimit = long.MaxValue;

    [Fact]
    public void Update_sees_the_current_value_and_stores_what_the_change_returns()
    {
        JsonElement? seen = FlowValues.Text("not called");

        var first = Store.Update(Bot, "count", current =>
        {
            seen = current;
            return FlowValues.Number(1);
        }, NoLimit);
        var second = Store.Update(Bot, "count", current => FlowValues.Number(current!.Value.GetInt32() + 1), NoLimit);

        Assert.Null(seen);
        Assert.Equal(1, first.GetInt32());
        Assert.Equal(2, second.GetInt32());
        Assert.Equal(2, Restart().Get(Bot, "count")!.Value.GetInt32());
    }

    [Fact]
    public void A_change_that_throws_writes_nothing_and_its_exception_passes_through()
    {
        Store.Set(Bot, "stock", FlowValues.Number(3));

        var thrown = Assert.Throws<InvalidOperationException>(() => Store.Update(Bot, "stock", _ => throw new InvalidOperationException("품절"), NoLimit));

        Assert.Equal("품절", thrown.Message);
        Assert.Equal(3, Store.Get(Bot, "stock")!.Value.GetInt32());
    }

    [Fact]
    public void Concurrent_updates_of_one_key_lose_nothing()
    {
        Store.Set(Bot, "stock", FlowValues.Number(100));
        var sold = 0;

        Parallel.For(0, 150, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var took = false;
            Store.Update(Bot, "stock", current =>
            {
                var left = current!.Value.GetInt32();
                took = left > 0;
                return FlowValues.Number(took ? left - 1 : left);
            }, NoLimit);
            if (took)
            {
                Interlocked.Increment(ref sold);
            }
        });

        Assert.Equal(100, sold);
        Assert.Equal(0, Store.Get(Bot, "stock")!.Value.GetInt32());
    }

    [Fact]
    public void An_update_or_a_turn_past_the_bots_data_limit_writes_nothing()
    {
        var big = FlowValues.Text(new string('x', 1000));
        Store.Set(Bot, "a", big);
        var limit = Store.Size(Bot) + 500;

        Assert.Throws<BotDataLimitException>(() => Store.Update(Bot, "b", _ => big, limit));
        Assert.Throws<BotDataLimitException>(() => Store.Apply(Bot, [
            new BotDataChange("c", FlowValues.Number(1), limit),
            new BotDataChange("d", big, limit),
        ]));

        Assert.Equal(["a"], Restart().Keys(Bot));
        Assert.Equal(2, Store.Update(Bot, "b", _ => FlowValues.Number(2), limit).GetInt32());
    }

    [Fact]
    public void Apply_writes_a_turns_changes_in_order()
    {
        Store.Set(Bot, "old", FlowValues.Number(1));

        Store.Apply(Bot, [
            new BotDataChange("order:1", FlowValues.Text("paid")),
            new BotDataChange("old", null),
            new BotDataChange("order:2", FlowValues.Text("paid")),
        ]);

        var restarted = Restart();
        Assert.Equal(["order:1", "order:2"], restarted.Keys(Bot));
        Assert.Equal("paid", restarted.Get(Bot, "order:2")!.Value.GetString());
        Assert.Empty(restarted.Keys("pizza"));
    }

    [Fact]
    public void Updates_and_applies_of_one_key_never_interleave()
    {
        Store.Set(Bot, "n", FlowValues.Number(0));

        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (i % 4 == 0)
            {
                Store.Apply(Bot, [new BotDataChange("other:" + i, FlowValues.Number(i))]);
            }
            else
            {
                Store.Update(Bot, "n", current => FlowValues.Number(current!.Value.GetInt32() + 1), NoLimit);
            }
        });

        Assert.Equal(150, Store.Get(Bot, "n")!.Value.GetInt32());
        Assert.Equal(51, Store.Keys(Bot).Count);
    }
}
