using KakaoFlow.Store.Tests.Support;
using static KakaoFlow.Store.Tests.Support.Sessions;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// <c>--durability fsync</c>: no turn is acknowledged before its journal record is fsync'd, turns written together share
/// one fsync, and a flush fsyncs LiteDB's files before it deletes the segments they replace. The file layer is a fake
/// (<see cref="FakeJournalFiles"/>) whose fsyncs the test holds; LiteDB is a real file.
/// </summary>
public sealed class DurabilityTests : TempStoreFile
{
    private const string Bot = "피자봇";

    private static readonly SessionStoreOptions NoBackgroundFlush = new() { FlushInterval = TimeSpan.FromHours(1) };

    [Fact]
    public async Task With_fsync_no_append_completes_before_its_record_is_synced_and_appends_queued_meanwhile_share_one_fsync()
    {
        using var files = new FakeJournalFiles();
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, files: files);
        files.HoldSyncs();

        var first = journal.AppendAsync(SessionRecord.Write(Bot, "첫손님", Turn("첫손님", 1)));
        files.WaitForSync();
        Assert.False(first.IsCompleted);
        var second = journal.AppendAsync(SessionRecord.Write(Bot, "둘째", Turn("둘째", 1)));
        var third = journal.AppendAsync(SessionRecord.Write(Bot, "셋째", Turn("셋째", 1)));
        Assert.False(first.IsCompleted || second.IsCompleted || third.IsCompleted);

        files.ReleaseSyncs();
        await Task.WhenAll(first, second, third);
        journal.Dispose();

        var segment = Assert.Single(files.WrittenBytes.Keys);
        Assert.Equal(files.WrittenBytes[segment], files.SyncedBytes[segment]);
        var name = Path.GetFileName(segment);
        // The segment's directory entry is synced before anything in it is acknowledged; then one write and one fsync per group.
        Assert.Equal(["create " + name, "sync-dir"], files.Events.Take(2));
        Assert.Equal(2, files.Events.Count(e => e.StartsWith("fsync ", StringComparison.Ordinal)));
        Assert.Equal(2, files.Events.Count(e => e.StartsWith("write ", StringComparison.Ordinal)));
        Assert.DoesNotContain(files.Events, e => e.StartsWith("flush ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_group_of_appends_completes_when_its_last_record_is_synced_not_before()
    {
        using var files = new FakeJournalFiles();
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, files: files);

        var group = journal.StartGroup();
        group.Append(SessionRecord.Write(Bot, "첫손님", Turn("첫손님", 1)));
        await journal.AppendAsync(SessionRecord.Write(Bot, "다른손님", Turn("다른손님", 1))); // so the first is synced now
        files.HoldSyncs();
        group.Append(SessionRecord.Write(Bot, "둘째", Turn("둘째", 1)));
        files.WaitForSync();
        group.Append(SessionRecord.Write(Bot, "셋째", Turn("셋째", 1)));
        var appended = group.Close();
        Assert.False(appended.IsCompleted);

        files.ReleaseSyncs();
        await appended;
        journal.Dispose();

        var segment = Assert.Single(files.WrittenBytes.Keys);
        Assert.Equal(files.WrittenBytes[segment], files.SyncedBytes[segment]);
    }

    [Fact]
    public async Task A_group_fails_when_one_of_its_batches_fails_though_later_ones_are_written()
    {
        using var files = new FakeJournalFiles();
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, files: files);
        files.HoldSyncs();

        var group = journal.StartGroup();
        group.Append(SessionRecord.Write(Bot, "첫손님", Turn("첫손님", 1)));
        files.WaitForSync();
        group.Append(SessionRecord.Write(Bot, "둘째", Turn("둘째", 1))); // the next batch: its write fails
        var probe = journal.AppendAsync(SessionRecord.Write(Bot, "다른손님", Turn("다른손님", 1))); // queued after it
        files.FailWrites = true;
        files.ReleaseSyncs();
        await Assert.ThrowsAsync<IOException>(() => probe); // so the batch holding 둘째 failed too
        files.FailWrites = false;
        group.Append(SessionRecord.Write(Bot, "셋째", Turn("셋째", 1))); // written and synced
        var appended = group.Close();

        var failure = await Assert.ThrowsAsync<IOException>(() => appended);
        Assert.Contains("No space left", failure.Message, StringComparison.Ordinal);
        journal.Dispose();
    }

    [Fact]
    public async Task With_fsync_every_batch_is_synced_on_the_journals_own_thread_which_ends_with_the_journal()
    {
        using var files = new FakeJournalFiles();
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, files: files);
        Thread writer;
        try
        {
            await journal.AppendAsync(SessionRecord.Write(Bot, "첫손님", Turn("첫손님", 1)));
            await journal.AppendAsync(SessionRecord.Write(Bot, "둘째", Turn("둘째", 1)));
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => journal.AppendAsync(SessionRecord.Write(Bot, $"손님{i}", Turn($"손님{i}", 1))))));

            var syncs = files.SyncingThreads;
            Assert.True(syncs.Count >= 3, $"{syncs.Count} fsyncs");
            Assert.DoesNotContain(syncs, s => s.OnThreadPool); // an fsync blocks its thread: not one of the pool's few workers
            writer = Assert.Single(syncs.Select(s => s.Thread).Distinct());
            Assert.True(writer.IsAlive);
        }
        finally
        {
            // Bounded: a writer that does not end would hang Dispose (it joins the thread) instead of failing the test.
            await Task.Run(journal.Dispose).WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.False(writer.IsAlive);
    }

    [Fact]
    public async Task With_os_durability_an_append_is_handed_to_the_os_without_an_fsync()
    {
        using var files = new FakeJournalFiles();
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Os, files: files);
        files.HoldSyncs(); // an fsync would now never return

        await journal.AppendAsync(SessionRecord.Write(Bot, "손님", Turn("손님", 1)));
        journal.Dispose();

        Assert.Contains(files.Events, e => e.StartsWith("flush ", StringComparison.Ordinal));
        Assert.DoesNotContain(files.Events, e => e.StartsWith("fsync ", StringComparison.Ordinal) || e == "sync-dir");
    }

    [Fact]
    public async Task With_fsync_a_turn_is_not_acknowledged_before_its_sync_and_a_flush_syncs_the_data_file_before_deleting_the_journal()
    {
        using var files = new FakeJournalFiles();
        using var database = OpenDataFile();
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, files: files);
        using var sessions = new JournaledSessionStore(
            new LiteDbSessionStore(database, files), journal, NoBackgroundFlush with { Durability = SessionDurability.Fsync });
        files.HoldSyncs();

        var save = sessions.SaveAsync(Bot, "손님", Turn("손님", 1));
        files.WaitForSync();
        Assert.False(save.IsCompleted);
        files.ReleaseSyncs();
        await save;

        sessions.Flush();

        var events = files.Events;
        var segment = Assert.Single(files.WrittenBytes.Keys);
        var deleted = events.ToList().IndexOf("delete " + Path.GetFileName(segment));
        Assert.True(deleted > 0, string.Join(", ", events));
        var synced = events.Take(deleted).ToList();
        Assert.Contains("sync-file store-log.litedb", synced);
        Assert.Contains("sync-file store.litedb", synced);
        SessionAssert.Same(Turn("손님", 1), SessionDocuments.FromDocument(database.Read("reading", open => open.Sessions.FindById(StoreNames.IdOf(Bot, "손님")))));
    }

    [Fact]
    public async Task With_os_durability_a_flush_deletes_the_journal_without_syncing_the_data_file()
    {
        using var files = new FakeJournalFiles();
        using var database = OpenDataFile();
        var journal = new SessionJournal(StoreFile, 1, files: files);
        using var sessions = new JournaledSessionStore(new LiteDbSessionStore(database, files), journal, NoBackgroundFlush);

        await sessions.SaveAsync(Bot, "손님", Turn("손님", 1));
        sessions.Flush();

        Assert.Contains(files.Events, e => e.StartsWith("delete ", StringComparison.Ordinal));
        Assert.DoesNotContain(files.Events, e => e.StartsWith("sync-file ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_real_file_layer_syncs_a_directory_and_a_file_another_handle_writes()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        using (var writer = new FileStream(StoreFile, FileMode.Create, FileAccess.Write, FileShare.Read))
        {
            writer.Write("세션"u8);
            writer.Flush();
            DiskJournalFiles.Instance.SyncFile(StoreFile);
        }

        DiskJournalFiles.Instance.SyncDirectory(Path.GetDirectoryName(StoreFile)!);
        DiskJournalFiles.Instance.SyncFile(StoreFile + ".missing");
        Assert.Throws<IOException>(() => DiskJournalFiles.Instance.SyncDirectory(StoreFile + ".missing"));
    }
}
