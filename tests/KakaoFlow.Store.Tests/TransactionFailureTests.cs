using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;
using LiteDB;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// A transaction that fails on an error LiteDB handles itself, or on the caller's own exception, is rolled back whole and
/// costs nothing more: the data file stays open (no reopen, no outage) and the next transaction on the same thread works.
/// </summary>
public sealed class TransactionFailureTests : TempStoreFile
{
    public static TheoryData<string> Failures => ["duplicate id", "caller's exception"];

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failed_transaction_is_rolled_back_whole_and_the_file_stays_open(string failure)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        var health = new StoreHealth(TimeProvider.System, null);
        using var file = new LiteDbFile(StoreFile, health);
        file.Transaction("storing 단골", database => database.BotData.Insert(Document("단골", 1)));

        var failed = Record.Exception(() => file.Transaction("storing 새손님 and 단골 again", database =>
        {
            database.BotData.Insert(Document("새손님", 1));
            if (failure == "duplicate id")
            {
                database.BotData.Insert(Document("단골", 2));
            }
            else
            {
                throw new InvalidOperationException("decided not to");
            }
        }));

        if (failure == "duplicate id")
        {
            Assert.Equal(LiteException.INDEX_DUPLICATE_KEY, Assert.IsType<LiteException>(Assert.IsType<StoreException>(failed).InnerException).ErrorCode);
        }
        else
        {
            Assert.Equal("decided not to", Assert.IsType<InvalidOperationException>(failed).Message);
        }

        // At once, on the same thread: a database retired after the failure would refuse these calls for a second, and a
        // transaction left bound to the thread would swallow the next one.
        Assert.True(health.Available);
        Assert.Equal(["단골"], file.Read("reading", database => database.BotData.FindAll().Select(document => document["_id"].AsString).ToList()));
        Assert.Equal(1, file.Read("reading", database => database.BotData.FindById("단골")["turn"].AsInt32));
        file.Transaction("storing 새손님", database => database.BotData.Insert(Document("새손님", 1)));
        Assert.Equal(2, file.Read("counting", database => database.BotData.Count()));
    }

    [Fact]
    public void The_transaction_after_a_failed_one_is_committed_and_survives_a_reopen()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        using (var file = new LiteDbFile(StoreFile, new StoreHealth(TimeProvider.System, null)))
        {
            file.Transaction("storing 단골", database => database.BotData.Insert(Document("단골", 1)));
            Assert.Throws<StoreException>(() => file.Transaction("storing 단골 again", database => database.BotData.Insert(Document("단골", 2))));
            file.Transaction("updating 단골", database => database.BotData.Update(Document("단골", 3)));
        }

        using (var file = new LiteDbFile(StoreFile, new StoreHealth(TimeProvider.System, null)))
        {
            Assert.Equal(3, file.Read("reading", database => database.BotData.FindById("단골")["turn"].AsInt32));
        }
    }

    [Fact]
    public void The_probe_for_a_transaction_bound_to_the_thread_finds_one_and_leaves_it_as_it_was()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        using var engine = new LiteDatabase(new ConnectionString { Filename = StoreFile });
        var things = engine.GetCollection("things");

        Assert.True(LiteDbFile.Database.HasNoTransaction(engine));
        Assert.True(engine.BeginTrans()); // the probe left no transaction behind

        things.Insert(Document("단골", 1));
        Assert.False(LiteDbFile.Database.HasNoTransaction(engine));
        Assert.True(engine.Commit()); // still the same, active transaction: its insert is committed
        Assert.Equal(1, things.Count());
    }

    private static BsonDocument Document(string id, int turn) => new() { ["_id"] = id, ["turn"] = turn };
}
