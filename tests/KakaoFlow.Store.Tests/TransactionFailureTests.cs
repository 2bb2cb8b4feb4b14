using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;
using LiteDB;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// What a failed LiteDB call costs. A transaction that fails on an error LiteDB handles itself, or on the caller's own
/// exception, is rolled back whole and costs nothing more: the data file stays open (no reopen, no outage) and the next
/// transaction on the same thread works. A failure that shows LiteDB's own state broken retires the database: calls fail
/// at once until it is opened again, a second later.
/// </summary>
public sealed class TransactionFailureTests : TempStoreFile
{
    public static TheoryData<string> Failures => ["duplicate id", "caller's exception", "caller's enumerator"];

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failed_transaction_is_rolled_back_whole_and_the_file_stays_open(string failure)
    {
        var health = new StoreHealth(TimeProvider.System, null);
        using var file = OpenDataFile(health);
        file.Transaction("storing 단골", database => database.BotData.Insert(Document("단골", 1)));

        var failed = Record.Exception(() => file.Transaction("storing two customers", database =>
        {
            database.BotData.Insert(Document("새손님", 1));
            switch (failure)
            {
                case "duplicate id":
                    database.BotData.Insert(Document("단골", 2));
                    break;
                case "caller's enumerator": // thrown while LiteDB reads the batch: ours all the same
                    database.BotData.Insert(FailingBatch());
                    break;
                default:
                    throw new InvalidOperationException("decided not to");
            }
        }));

        if (failure == "duplicate id")
        {
            Assert.Equal(LiteException.INDEX_DUPLICATE_KEY, Assert.IsType<LiteException>(Assert.IsType<StoreException>(failed).InnerException).ErrorCode);
            Assert.Contains("duplicate key in unique index '_id'", failed.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("단골", failed.ToString(), StringComparison.Ordinal); // ids hold user keys: never logged in clear
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
        using (var file = OpenDataFile())
        {
            file.Transaction("storing 단골", database => database.BotData.Insert(Document("단골", 1)));
            Assert.Throws<StoreException>(() => file.Transaction("storing 단골 again", database => database.BotData.Insert(Document("단골", 2))));
            file.Transaction("updating 단골", database => database.BotData.Update(Document("단골", 3)));
        }

        using (var file = OpenDataFile())
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

    [Fact]
    public void A_mistake_LiteDBs_public_types_refuse_fails_the_call_only()
    {
        var health = new StoreHealth(TimeProvider.System, null);
        using var file = OpenDataFile(health);
        file.Transaction("storing 단골", database => database.BotData.Insert(Document("단골", 1)));

        Assert.Throws<ArgumentNullException>(() => file.Read("reading", database => database.BotData.FindById(null)));
        Assert.ThrowsAny<Exception>(() => file.Read("reading", database => database.BotData.FindById("단골")["없는값"].AsBoolean));

        Assert.True(health.Available);
        Assert.Equal(1, file.Read("reading", database => database.BotData.Count()));
    }

    [Fact]
    public void An_exception_of_the_runtime_thrown_by_LiteDBs_code_breaks_the_database_one_of_ours_or_of_a_value_does_not()
    {
        // LiteDB's internal buffer read out of its bounds, as its page cache's race makes its query code do.
        var sliceType = typeof(LiteDatabase).Assembly.GetType("LiteDB.BufferSlice", throwOnError: true)!;
        var slice = Activator.CreateInstance(sliceType, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, null, [new byte[8], 0, 8], null);
        var read = Assert.Throws<System.Reflection.TargetInvocationException>(() => sliceType.GetProperty("Item")!.GetValue(slice, [100]));
        var insideLiteDb = Assert.IsType<IndexOutOfRangeException>(read.InnerException);

        Assert.True(LiteDbFile.Breaks(insideLiteDb));

        // A failure after a query's first row: LiteDB's reader throws it again, from its own public method.
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        using (var engine = new LiteDatabase(new ConnectionString { Filename = StoreFile }))
        {
            var things = engine.GetCollection("things");
            things.Insert([new BsonDocument { ["_id"] = 1, ["x"] = 5 }, new BsonDocument { ["_id"] = 2, ["x"] = 5.5 }]);
            var secondRow = Record.Exception(() => things.Query().Select(BsonExpression.Create("{ f: FORMAT($.x, 'D18') }")).ToList());
            Assert.IsType<FormatException>(secondRow);
            Assert.True(LiteDbFile.Breaks(secondRow));
        }

        var ours = new byte[8];
        var index = 100;
        Assert.False(LiteDbFile.Breaks(Record.Exception(() => ours[index]++)!));
        Assert.False(LiteDbFile.Breaks(Record.Exception(() => new BsonValue("글자").AsBoolean)!)); // a value read as the wrong type
    }

    [Fact]
    public async Task A_call_waits_for_the_one_inside_then_fails_without_closing_the_file()
    {
        var health = new StoreHealth(TimeProvider.System, null);
        using var file = OpenDataFile(health);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var slow = Task.Factory.StartNew(
            () => file.Read("a slow read", database =>
            {
                inside.Set();
                return release.Wait(TimeSpan.FromSeconds(30));
            }),
            TaskCreationOptions.LongRunning);
        try
        {
            Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));
            var failed = Assert.Throws<StoreUnavailableException>(() => file.Read("one more read", database => database.BotData.Count()));
            Assert.Contains($"busy with other calls for {LiteDbFile.LockTimeoutSeconds} s", failed.Message, StringComparison.Ordinal);
            Assert.True(health.Available);
        }
        finally
        {
            release.Set();
            Assert.True(await slow.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.Equal(0, file.Read("reading", database => database.BotData.Count()));
    }

    [Theory]
    [InlineData(300)]
    [InlineData(0)] // no pause: only the calls already waiting go first
    public void A_transaction_pausing_inside_lets_other_calls_in_and_is_still_committed_whole(int pauseMilliseconds)
    {
        using var file = OpenDataFile();
        var readDuringPause = -1;
        file.Transaction("storing 단골 in two steps", database =>
        {
            database.BotData.Insert(Document("단골", 1));
            var reader = Task.Factory.StartNew(() => file.Read("reading meanwhile", other => other.BotData.Count()), TaskCreationOptions.LongRunning);
            Assert.False(reader.Wait(TimeSpan.FromMilliseconds(300))); // one call inside LiteDB at a time
            file.PauseInside(TimeSpan.FromMilliseconds(pauseMilliseconds));
            Assert.True(reader.Wait(TimeSpan.FromSeconds(10))); // it got in during the pause: it would wait for the commit otherwise
            readDuringPause = reader.Result;
            database.BotData.Insert(Document("새손님", 1));
        });

        Assert.Equal(0, readDuringPause); // the other call saw nothing of the open transaction
        Assert.Equal(2, file.Read("reading", database => database.BotData.Count()));
    }

    [Fact]
    public void Transactions_left_open_until_LiteDB_takes_no_more_retire_the_database_until_it_is_opened_again()
    {
        var health = new StoreHealth(TimeProvider.System, null);
        using var file = OpenDataFile(health);
        file.Transaction("storing 단골", database => database.BotData.Insert(Document("단골", 1)));
        using var release = new ManualResetEventSlim();
        var holders = new List<Thread>();

        // What failed reads left behind in the race, each on its thread: transactions LiteDB never released (100 at most).
        try
        {
            var failed = Assert.Throws<StoreUnavailableException>(() => file.Read("reading", database =>
            {
                using var opened = new CountdownEvent(100);
                for (var i = 0; i < 100; i++)
                {
                    var holder = new Thread(() =>
                    {
                        database.Engine.BeginTrans();
                        opened.Signal();
                        release.Wait(TimeSpan.FromSeconds(30));
                    }) { IsBackground = true };
                    holder.Start();
                    holders.Add(holder);
                }

                Assert.True(opened.Wait(TimeSpan.FromSeconds(30)));
                return database.BotData.FindById("단골");
            }));

            Assert.StartsWith("Maximum number of transactions reached", failed.InnerException!.Message, StringComparison.Ordinal);
            Assert.False(health.Available);
        }
        finally
        {
            release.Set();
        }

        Assert.All(holders, holder => Assert.True(holder.Join(TimeSpan.FromSeconds(10))));

        Thread.Sleep(LiteDbFile.ReopenPause + TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, file.Read("reading", database => database.BotData.FindById("단골")["turn"].AsInt32));
        file.Transaction("storing 새손님", database => database.BotData.Insert(Document("새손님", 1)));
        Assert.True(health.Available);
    }

    [Fact]
    public void A_read_handed_another_document_than_its_ids_fails_without_showing_it_and_the_file_is_opened_again()
    {
        var health = new StoreHealth(TimeProvider.System, null);
        using var file = OpenDataFile(health);
        file.Transaction("storing 단골", database => database.BotData.Insert(Document("단골", 1)));
        Assert.Equal(1, file.Read("reading", database => database.BotData.FindExactly("단골", database.Collation))!["turn"].AsInt32);
        Assert.Null(file.Read("reading", database => database.BotData.FindExactly("처음 온 손님", database.Collation)));

        // What the page-cache race once did: the index led to another user's document.
        var racing = CollectionHanding.Create(Document("다른 손님", 7));
        var failed = Assert.Throws<StoreUnavailableException>(() => file.Read("reading a session", database => racing.FindExactly("단골", database.Collation)));

        Assert.IsType<WrongDocumentException>(failed.InnerException);
        Assert.DoesNotContain("손님", failed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("단골", failed.ToString(), StringComparison.Ordinal);
        Assert.False(health.Available);
        Thread.Sleep(LiteDbFile.ReopenPause + TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, file.Read("reading", database => database.BotData.FindExactly("단골", database.Collation))!["turn"].AsInt32);
    }

    [Fact]
    public void A_file_made_before_the_ordinal_collation_finds_a_document_whose_id_differs_in_case_without_failing()
    {
        var health = new StoreHealth(TimeProvider.System, null);
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        using (var old = new LiteDatabase(new ConnectionString { Filename = StoreFile })) // LiteDB's default: ignores case
        {
            old.GetCollection(StoreNames.BotData).Insert(new BsonDocument { ["_id"] = "shop\u001fAbc", ["turn"] = 3 });
        }

        using var file = OpenDataFile(health);
        Assert.Equal(3, file.Read("reading", database => database.BotData.FindExactly("shop\u001fabc", database.Collation))!["turn"].AsInt32);
        Assert.True(health.Available);
    }

    /// <summary>A collection whose <c>FindById</c> hands back one document whatever the id.</summary>
    public class CollectionHanding : System.Reflection.DispatchProxy
    {
        private BsonDocument _document = [];

        public static ILiteCollection<BsonDocument> Create(BsonDocument document)
        {
            var collection = Create<ILiteCollection<BsonDocument>, CollectionHanding>();
            ((CollectionHanding)(object)collection)._document = document;
            return collection;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(ILiteCollection<BsonDocument>.FindById) => (object)_document,
            "get_" + nameof(ILiteCollection<BsonDocument>.Name) => "sessions",
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }

    private static IEnumerable<BsonDocument> FailingBatch()
    {
        yield return Document("손님", 1);
        throw new InvalidOperationException("decided not to");
    }

    private static BsonDocument Document(string id, int turn) => new() { ["_id"] = id, ["turn"] = turn };
}
