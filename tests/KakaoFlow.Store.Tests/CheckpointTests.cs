using KakaoFlow.Store.Tests.Support;
using LiteDB;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// LiteDB's log is moved into the data file in a turn of its own after the write that grew it
/// (<see cref="LiteDbFile.CheckpointIfLogLarge"/>), not inside that write's commit: the calls that waited for the write go
/// first.
/// </summary>
public sealed class CheckpointTests : TempStoreFile
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    private string LogFile => StoreFiles.LogOf(StoreFile);

    private long LogPages => File.Exists(LogFile) ? new FileInfo(LogFile).Length / StoreFiles.PageSize : 0;

    [Fact]
    public void LiteDBs_own_checkpoint_is_only_the_backstop()
    {
        using var file = OpenDataFile();

        Assert.Equal(LiteDbFile.AutoCheckpointPages, file.Read("reading the pragma", database => database.Engine.Pragma("CHECKPOINT").AsInt32));
        Assert.True(LiteDbFile.AutoCheckpointPages > LiteDbFile.CheckpointPages);
    }

    [Fact]
    public async Task A_write_that_grows_the_log_past_the_limit_lets_the_waiting_call_in_before_moving_it()
    {
        using var file = OpenDataFile();
        Task<long>? reader = null;

        file.Transaction("storing many customers", database =>
        {
            database.Sessions.Insert(Customers(0, 12_000));
            reader = Task.Factory.StartNew(() => file.Read("a customer coming back", _ => LogPages), TaskCreationOptions.LongRunning);
            Assert.True(SpinWait.SpinUntil(() => file.Waiting == 1, Long));
        });

        var pagesWhenItRan = await reader!.WaitAsync(Long);
        Assert.True(pagesWhenItRan > LiteDbFile.CheckpointPages, $"the log held {pagesWhenItRan} pages when the waiting call ran");
        Assert.Equal(0, LogPages); // moved before the write returned
        Assert.Equal(12_000, file.Read("counting", database => database.Sessions.Count()));
    }

    [Fact]
    public void The_log_is_not_moved_under_a_transaction_paused_inside_and_is_once_it_ends()
    {
        using var file = OpenDataFile();
        long pagesDuringPause = -1;

        file.Transaction("storing two customers with a pause", database =>
        {
            database.Sessions.Insert(new BsonDocument { ["_id"] = "첫 손님" });
            var bigWrite = Task.Factory.StartNew(
                () => file.Write("storing many friends", StoreNames.Friends, friends => friends.Insert(Customers(0, 12_000))),
                TaskCreationOptions.LongRunning);
            while (!bigWrite.IsCompleted)
            {
                // A checkpoint now would wait for this transaction, holding the turn it needs to go on, until LiteDB's
                // lock timeout failed it.
                file.PauseInside(TimeSpan.FromMilliseconds(20));
            }

            Assert.Equal(12_000, bigWrite.Result);
            pagesDuringPause = LogPages;
            database.Sessions.Insert(new BsonDocument { ["_id"] = "둘째 손님" });
        });

        Assert.True(pagesDuringPause > LiteDbFile.CheckpointPages, $"{pagesDuringPause} pages");
        Assert.Equal(0, file.FailedCheckpoints); // none tried under the paused transaction (it would time out)
        Assert.Equal(0, LogPages);
        Assert.Equal(2, file.Read("counting", database => database.Sessions.Count()));
        Assert.Equal(12_000, file.Read("counting", database => database.Friends.Count()));
    }

    [Fact]
    public void A_small_write_leaves_the_log_to_grow()
    {
        using var file = OpenDataFile();

        file.Write("storing a customer", StoreNames.Sessions, sessions => sessions.Insert(new BsonDocument { ["_id"] = "손님" }));

        Assert.InRange(LogPages, 1, LiteDbFile.CheckpointPages);
    }

    private static IEnumerable<BsonDocument> Customers(int from, int count) => Enumerable.Range(from, count).Select(i => new BsonDocument
    {
        ["_id"] = "손님-" + i,
        ["padding"] = new string('가', 200),
    });
}
