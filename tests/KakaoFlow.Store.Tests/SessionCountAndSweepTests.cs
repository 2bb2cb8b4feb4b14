using KakaoFlow.Runtime;
using KakaoFlow.Store.Tests.Support;
using LiteDB;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// What keeps a bot of a million sessions from reading all of them every few minutes: each bot's count kept beside its
/// sessions, the retention sweep through the <c>idle</c> index, and files of earlier versions brought to both at open.
/// </summary>
public sealed class SessionCountAndSweepTests : TempStoreFile
{
    private const string Bot = "피자집";
    private const string Other = "피자집2"; // the bot's id is a prefix of it: its keys sort right after the bot's

    private static readonly DateTimeOffset Cutoff = new(2026, 11, 20, 15, 0, 0, TimeSpan.FromHours(9));

    [Fact]
    public void Each_bot_s_count_follows_new_users_deletes_and_sweeps_and_survives_a_reopen()
    {
        using (var store = new LiteDbStore(StoreFile))
        {
            store.Sessions.Save(Bot, "민수", Sessions.LastSeen(Cutoff.AddDays(-3)));
            store.Sessions.Save(Bot, "지영", Sessions.LastSeen(Cutoff.AddDays(1)));
            store.Sessions.Save(Bot, "현우", Sessions.LastSeen(Cutoff.AddDays(2)));
            store.Sessions.Save(Other, "민수", Sessions.LastSeen(Cutoff.AddDays(-3)));
            store.FlushSessions();
            store.Sessions.Save(Bot, "지영", Sessions.LastSeen(Cutoff.AddDays(3))); // a returning user is not a new one
            store.FlushSessions();
        }

        Assert.Equal(new Dictionary<string, long> { [Bot] = 3, [Other] = 1 }, StoredCounts());

        using (var store = new LiteDbStore(StoreFile))
        {
            Assert.Equal(3, store.Sessions.Count(Bot));
            Assert.True(store.Sessions.Delete(Bot, "현우"));
            Assert.False(store.Sessions.Delete(Bot, "현우"));
            Assert.Equal(1, store.Sessions.DeleteInactiveSince(Bot, Cutoff));
            Assert.Equal(1, store.Sessions.Count(Bot));
            Assert.Equal(1, store.Sessions.DeleteInactiveSince(Other, Cutoff));
            Assert.Equal(0, store.Sessions.Count(Other));
        }

        Assert.Equal(new Dictionary<string, long> { [Bot] = 1 }, StoredCounts());
    }

    [Fact]
    public void A_batch_of_several_bots_users_in_turn_counts_each_bot_s_new_users()
    {
        using var database = OpenDataFile();
        var sessions = new LiteDbSessionStore(database);
        sessions.Save(Bot, "기존", Sessions.LastSeen(Cutoff));

        sessions.SaveAll([Write(Bot, "기존"), Write(Bot, "가"), Write(Other, "가"), Write(Bot, "나"), Write(Other, "나"), Write(Other, "다"), Write(Bot, "가")], catchingUp: false);

        Assert.Equal(3, sessions.Count(Bot));
        Assert.Equal(3, sessions.Count(Other));
        Assert.Equal(0, sessions.Count("없는봇"));
    }

    [Fact]
    public void Users_handed_over_as_never_stored_are_inserted_and_one_stored_after_all_fails_its_transaction_not_the_session()
    {
        var size = LiteDbSessionStore.SavesPerTransaction;
        // The second transaction holds a user wrongly taken for new: its insert fails on the duplicate id.
        List<SessionWrite> Writes(bool neverStored) =>
        [
            .. Enumerable.Range(0, size + 100).Select(i => i == size + 50 ? UserWrite(Bot, "단골", 2, neverStored) : UserWrite(Bot, "새손님" + i, 1, neverStored)),
            UserWrite(Other, "손님", 1, neverStored),
        ];

        var health = new StoreHealth(TimeProvider.System, null);
        using (var database = OpenDataFile(health))
        {
            var sessions = new LiteDbSessionStore(database);
            sessions.Save(Bot, "단골", Sessions.Turn("단골", 1));
            var failure = Assert.Throws<KakaoFlow.Storage.StoreException>(() => sessions.SaveAll(Writes(neverStored: true), catchingUp: false));
            Assert.Equal(LiteException.INDEX_DUPLICATE_KEY, Assert.IsType<LiteException>(failure.InnerException).ErrorCode);

            // LiteDB rolled the transaction back itself: the file stays open, and what follows runs at once in it.
            Assert.True(health.Available);
            SessionAssert.Same(Sessions.Turn("단골", 1), sessions.Find(Bot, "단골")); // rolled back whole: never half written
            Assert.Equal(size, Enumerable.Range(0, size + 100).Count(i => sessions.Find(Bot, "새손님" + i) is not null));
            Assert.Equal(size + 1, sessions.Count(Bot)); // the first transaction's new users, counted once each

            sessions.SaveAll(Writes(neverStored: false), catchingUp: false); // what the journaled store does next: all of them again, looked up
            SessionAssert.Same(Sessions.Turn("단골", 2), sessions.Find(Bot, "단골"));
            Assert.Equal(size + 100, sessions.Count(Bot));
            Assert.Equal(1, sessions.Count(Other));
            Assert.Equal(size + 100, database.Read("counting", open => open.Sessions.Count(BsonExpression.Create("$.bot = @0", new BsonValue(Bot)))));
        }
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)] // a flush that writes wait for: larger transactions
    [InlineData(true, 2_048)] // as the store was opened with (SessionStoreOptions.SessionsPerCatchUpTransaction)
    public void A_large_batch_is_written_in_transactions_each_stored_whole_with_its_counts(bool catchingUp, int? openedWith)
    {
        var catchUp = openedWith ?? LiteDbSessionStore.SavesPerTransactionCatchingUp;
        var size = catchingUp ? catchUp : LiteDbSessionStore.SavesPerTransaction;

        // Two bots' users in turn across the first transaction's end, then a failure half way into the second transaction
        // (which closes the file, as any failure inside a LiteDB write does: read back after opening it again). Half way:
        // transactions of another size would have stored none (a larger one) or more (a smaller one) by then.
        var total = 2 * size;
        IEnumerable<SessionWrite> Writes()
        {
            for (var i = 0; i < total; i++)
            {
                if (i == size + (size / 2))
                {
                    throw new InvalidOperationException("the journal could not be read");
                }

                yield return Write(i % 3 == 0 ? Other : Bot, "손님" + i);
            }
        }

        using (var database = OpenDataFile())
        {
            Assert.Throws<InvalidOperationException>(() => new LiteDbSessionStore(database, perCatchUpTransaction: catchUp).SaveAll(Writes(), catchingUp));
        }

        using (var database = OpenDataFile())
        {
            var sessions = new LiteDbSessionStore(database);
            var stored = Enumerable.Range(0, total).Count(i => sessions.Find(i % 3 == 0 ? Other : Bot, "손님" + i) is not null);
            Assert.Equal(size, stored);
            Assert.Equal(Enumerable.Range(0, size).Count(i => i % 3 == 0), sessions.Count(Other));
            Assert.Equal(Enumerable.Range(0, size).Count(i => i % 3 != 0), sessions.Count(Bot));

            sessions.SaveAll(Enumerable.Range(0, (2 * size) + 1).Select(i => Write(Bot, "새손님" + i)), catchingUp);
            Assert.Equal((2 * size) + 1 + Enumerable.Range(0, size).Count(i => i % 3 != 0), sessions.Count(Bot));
        }
    }

    [Fact]
    public void A_batch_that_falls_behind_as_it_is_written_goes_on_in_the_larger_transactions()
    {
        // Paced for its first transaction, catching up from the second: a failure half way into the second leaves the
        // first transaction stored and nothing of the second (in transactions of the paced size, two would be stored).
        var paced = LiteDbSessionStore.SavesPerTransaction;
        var failAt = paced + (LiteDbSessionStore.SavesPerTransactionCatchingUp / 2);
        IEnumerable<SessionWrite> Writes()
        {
            for (var i = 0; ; i++)
            {
                if (i == failAt)
                {
                    throw new InvalidOperationException("the journal could not be read");
                }

                yield return Write(Bot, "손님" + i);
            }
        }

        var asked = 0;
        using (var database = OpenDataFile())
        {
            Assert.Throws<InvalidOperationException>(() => new LiteDbSessionStore(database).SaveAll(Writes(), catchingUp: () => asked++ > 0));
        }

        using (var database = OpenDataFile())
        {
            Assert.Equal(paced, new LiteDbSessionStore(database).Count(Bot));
        }

        Assert.Equal(2, asked);
    }

    [Fact]
    public void The_sweep_deletes_exactly_the_sessions_before_the_cutoff_whatever_bucket_they_are_in()
    {
        var stored = new Dictionary<string, DateTimeOffset?>
        {
            ["a tick before"] = Cutoff.AddTicks(-1),
            ["at the cutoff"] = Cutoff,
            ["a tick after"] = Cutoff.AddTicks(1),
            ["an hour before"] = Cutoff.AddHours(-1),
            ["a bucket before"] = Cutoff.AddTicks(-LiteDbSessionStore.IdleBucketTicks),
            ["a year before"] = Cutoff.AddYears(-1),
            ["a day after"] = Cutoff.AddDays(1),
            ["never"] = null,
        };
        using (var store = new LiteDbStore(StoreFile))
        {
            foreach (var (user, at) in stored)
            {
                store.Sessions.Save(Bot, user, Sessions.LastSeen(at));
                store.Sessions.Save(Other, user, Sessions.LastSeen(at));
            }

            Assert.Equal(5, store.Sessions.DeleteInactiveSince(Bot, Cutoff));
            Assert.Equal(["a day after", "a tick after", "at the cutoff"], stored.Keys.Where(user => store.Sessions.Find(Bot, user) is not null).Order(StringComparer.Ordinal));
            Assert.All(stored.Keys, user => Assert.NotNull(store.Sessions.Find(Other, user)));
            Assert.Equal(3, store.Sessions.Count(Bot));
            Assert.Equal(stored.Count, store.Sessions.Count(Other));
        }
    }

    [Fact]
    public void The_sweep_reads_the_sessions_through_the_idle_index_not_the_whole_collection()
    {
        CreateDataFile();
        using var database = new LiteDatabase(StoreFile);
        var plan = database.GetCollection(StoreNames.Sessions).Query().Where(LiteDbSessionStore.InactiveSince(Bot, Cutoff)).GetPlan();

        Assert.Equal(LiteDbSessionStore.IdleIndex, plan["index"]["name"].AsString);
        Assert.Contains("INDEX RANGE", plan["index"]["mode"].AsString, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_a_version_that_kept_no_counts_is_counted_once_at_open_and_swept_through_the_new_index()
    {
        WriteAsAnEarlierVersion(
            OldDocument(Bot, "민수", Cutoff.AddDays(-1)),
            OldDocument(Bot, "지영", Cutoff.AddDays(1)),
            OldDocument(Other, "민수", Cutoff.AddDays(-1)));

        using (var store = new LiteDbStore(StoreFile))
        {
            Assert.Equal(2, store.Sessions.Count(Bot));
            Assert.Equal(1, store.Sessions.Count(Other));
            Assert.Equal(1, store.Sessions.DeleteInactiveSince(Bot, Cutoff));
            Assert.Equal(1, store.Sessions.Count(Bot));
        }

        Assert.Equal(["_id", LiteDbSessionStore.IdleIndex], SessionIndexes());
    }

    [Fact]
    public void In_a_file_that_ignores_case_users_handed_over_as_never_stored_are_looked_up_all_the_same()
    {
        // There a new user "abc" and a stored "Abc" are one id: an insert would fail the whole transaction.
        WriteAsAnEarlierVersion(OldDocument(Bot, "Abc", Cutoff));

        using var database = OpenDataFile();
        var sessions = new LiteDbSessionStore(database);
        sessions.SaveAll([UserWrite(Bot, "abc", 1, neverStored: true), UserWrite(Bot, "새손님", 1, neverStored: true)], catchingUp: false);

        SessionAssert.Same(Sessions.Turn("abc", 1), sessions.Find(Bot, "abc"));
        Assert.Equal(2, sessions.Count(Bot));
    }

    [Fact]
    public void In_a_file_that_ignores_case_bots_whose_ids_differ_by_case_keep_their_own_counts_and_sessions()
    {
        // LiteDB's default collation (culture, ignoring case), as files were made before the ordinal one: Shop and shop
        // are two bots (two folders), and their ids are one to this file's indexes.
        WriteAsAnEarlierVersion(
            OldDocument("Shop", "민수", Cutoff.AddDays(-1)),
            OldDocument("Shop", "지영", Cutoff.AddDays(1)),
            OldDocument("shop", "현우", Cutoff.AddDays(-1)));

        using (var store = new LiteDbStore(StoreFile))
        {
            Assert.Equal(2, store.Sessions.Count("Shop"));
            Assert.Equal(1, store.Sessions.Count("shop"));

            Assert.Equal(1, store.Sessions.DeleteInactiveSince("Shop", Cutoff));

            Assert.NotNull(store.Sessions.Find("shop", "현우"));
            Assert.Equal(1, store.Sessions.Count("Shop"));
            Assert.Equal(1, store.Sessions.Count("shop"));
        }
    }

    [Fact]
    public void A_sweep_of_more_sessions_than_one_transaction_takes_deletes_and_uncounts_them_all()
    {
        var many = LiteDbSessionStore.SavesPerTransactionCatchingUp + 100;
        using var store = new LiteDbStore(StoreFile);
        for (var i = 0; i < many; i++)
        {
            store.Sessions.Save(Bot, "손님" + i, Sessions.LastSeen(Cutoff.AddMinutes(-1 - (i % 500))));
        }

        store.Sessions.Save(Bot, "단골", Sessions.LastSeen(Cutoff));
        store.FlushSessions();

        Assert.Equal(many, store.Sessions.DeleteInactiveSince(Bot, Cutoff));
        Assert.Equal(1, store.Sessions.Count(Bot));
        Assert.NotNull(store.Sessions.Find(Bot, "단골"));
    }

    [Fact]
    public void A_sweep_deletes_in_the_transactions_the_store_was_opened_with_and_takes_them_all()
    {
        using var store = new LiteDbStore(StoreFile, new SessionStoreOptions { SessionsPerCatchUpTransaction = 10 });
        for (var i = 0; i < 25; i++)
        {
            store.Sessions.Save(Bot, "손님" + i, Sessions.LastSeen(Cutoff.AddMinutes(-1 - i)));
        }

        store.Sessions.Save(Bot, "단골", Sessions.LastSeen(Cutoff));
        store.FlushSessions();

        Assert.Equal(25, store.Sessions.DeleteInactiveSince(Bot, Cutoff));
        Assert.Equal(1, store.Sessions.Count(Bot));
        Assert.NotNull(store.Sessions.Find(Bot, "단골"));
    }

    [Fact]
    public void Sessions_an_earlier_version_wrote_into_a_counted_file_are_counted_at_the_next_open()
    {
        using (var store = new LiteDbStore(StoreFile))
        {
            store.Sessions.Save(Bot, "민수", Sessions.LastSeen(Cutoff));
        }

        WriteAsAnEarlierVersion(OldDocument(Bot, "지영", Cutoff), OldDocument(Bot, "현우", Cutoff));

        using (var store = new LiteDbStore(StoreFile))
        {
            Assert.Equal(3, store.Sessions.Count(Bot));
        }

        Assert.Equal(["_id", LiteDbSessionStore.IdleIndex], SessionIndexes());
    }

    private static SessionWrite Write(string botId, string userKey) => new(botId, userKey, Sessions.LastSeen(Cutoff));

    private static SessionWrite UserWrite(string botId, string userKey, int turn, bool neverStored) =>
        SessionWrite.OfRecord(botId, userKey, SessionRecord.Write(botId, userKey, Sessions.Turn(userKey, turn)), neverStored);

    /// <summary>
    /// What a version that kept no counts does to the file: makes it if missing (in LiteDB's default collation, culture
    /// and ignoring case, as those versions did), makes its index on <c>bot</c> (again), writes sessions it does not count.
    /// </summary>
    private void WriteAsAnEarlierVersion(params BsonDocument[] sessions)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        using var old = new LiteDatabase(new ConnectionString { Filename = StoreFile });
        var collection = old.GetCollection(StoreNames.Sessions);
        collection.EnsureIndex("bot", "$.bot");
        collection.InsertBulk(sessions);
    }

    private static BsonDocument OldDocument(string botId, string userKey, DateTimeOffset last) => new()
    {
        ["_id"] = StoreNames.IdOf(botId, userKey),
        ["bot"] = botId,
        ["step"] = Session.HomeStepId,
        ["vars"] = "{}",
        ["last"] = last.UtcTicks,
    };

    private Dictionary<string, long> StoredCounts()
    {
        using var database = new LiteDatabase(StoreFile);
        return database.GetCollection(StoreNames.SessionCounts).FindAll().ToDictionary(count => count["bot"].AsString, count => count["n"].AsInt64);
    }

    private List<string> SessionIndexes()
    {
        using var database = new LiteDatabase(StoreFile);
        return [.. database.GetCollection("$indexes").Find("$.collection = 'sessions'").Select(index => index["name"].AsString).Order(StringComparer.Ordinal)];
    }
}
