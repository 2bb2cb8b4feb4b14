using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// The session store's defaults sized for the memory the process may use: unchanged from 1 GiB up, scaled down in
/// proportion below it (a container's limit), never below what keeps the store working.
/// </summary>
public sealed class SessionStoreOptionsTests : TempStoreFile
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(1024 * MiB)]
    [InlineData(24L * 1024 * MiB)]
    public void From_one_GiB_up_the_defaults_are_unchanged(long memory) =>
        Assert.Equal(new SessionStoreOptions(), SessionStoreOptions.ForMemory(memory));

    [Theory]
    [InlineData(768, 112_500, 75_000, 75_000, 15_000, 48, 24, 3_072)] // a container of 1 GiB: .NET takes three quarters
    [InlineData(384, 56_250, 37_500, 37_500, 7_500, 24, 16, 1_536)] // a container of 512 MiB
    [InlineData(256, 37_500, 25_000, 25_000, 5_000, 16, 16, 1_024)]
    [InlineData(16, 2_343, 1_562, 1_562, 500, 1, 16, 1_024)]
    [InlineData(1, 2_000, 1_000, 1_000, 500, 0, 16, 1_024)]
    public void Below_one_GiB_what_the_store_holds_in_memory_is_scaled_in_proportion(
        long memoryMiB, int unflushed, int threshold, int carried, int cached, long packedMiB, long liteDbMiB, int perTransaction)
    {
        var options = SessionStoreOptions.ForMemory(memoryMiB * MiB);

        Assert.Equal(unflushed, options.MaxUnflushedUsers);
        Assert.Equal(threshold, options.FlushThreshold);
        Assert.Equal(carried, options.MaxCarriedOverUsers);
        Assert.Equal(cached, options.CacheCapacity);
        Assert.Equal(packedMiB, options.PackedCacheBytes / MiB);
        Assert.Equal(liteDbMiB, options.LiteDbCacheBytes / MiB);
        Assert.Equal(perTransaction, options.SessionsPerCatchUpTransaction);

        // What bounds time or disk, not memory, stays as it is.
        var defaults = new SessionStoreOptions();
        Assert.Equal(
            defaults with
            {
                MaxUnflushedUsers = unflushed,
                FlushThreshold = threshold,
                MaxCarriedOverUsers = carried,
                CacheCapacity = cached,
                PackedCacheBytes = options.PackedCacheBytes,
                LiteDbCacheBytes = options.LiteDbCacheBytes,
                SessionsPerCatchUpTransaction = perTransaction,
            },
            options);
    }

    [Fact]
    public void No_memory_reported_gives_the_smallest_sizes_not_an_error()
    {
        var options = SessionStoreOptions.ForMemory(0);

        Assert.Equal(
            (2_000, 1_000, 1_000, 500, 0L, 16 * MiB, 1_024),
            (options.MaxUnflushedUsers, options.FlushThreshold, options.MaxCarriedOverUsers, options.CacheCapacity, options.PackedCacheBytes, options.LiteDbCacheBytes, options.SessionsPerCatchUpTransaction));
    }

    [Fact]
    public void A_store_refuses_a_catch_up_transaction_of_no_sessions() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiteDbStore(StoreFile, new SessionStoreOptions { SessionsPerCatchUpTransaction = 0 }));
}
