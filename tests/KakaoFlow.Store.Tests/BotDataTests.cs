using System.Globalization;
using System.Text.Json;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>The LiteDB bot data store beyond the contract: what listing keys costs.</summary>
public sealed class BotDataTests : TempStoreFile
{
    private const string Bot = "피자봇";

    [Fact]
    public void Listing_the_keys_does_not_load_the_values()
    {
        using var store = new LiteDbStore(StoreFile, new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) });
        var big = JsonSerializer.SerializeToElement(new string('값', 250_000 / 3));
        for (var i = 0; i < 172; i++)
        {
            store.BotData.Set(Bot, "주문-" + i.ToString("D3", CultureInfo.InvariantCulture), big);
        }

        store.BotData.Set("다른봇", "주문-000", big);
        store.BotData.Keys(Bot); // warm: the first query builds LiteDB's plan caches

        var before = GC.GetAllocatedBytesForCurrentThread();
        var keys = store.BotData.Keys(Bot);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Enumerable.Range(0, 172).Select(i => "주문-" + i.ToString("D3", CultureInfo.InvariantCulture)), keys);
        Assert.True(allocated < 2 * 1024 * 1024, $"listing 172 keys allocated {allocated / (1024 * 1024.0):F1} MiB");
    }
}
