using System.Globalization;
using KakaoFlow.Store.Tests.Support;
using static KakaoFlow.Store.Tests.Support.Sessions;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// Prepared journal segments (fsync mode): the journal writes over files of zeros made ahead of time, renamed to a
/// segment's name when it moves on to them, so that an fsync need not change a file's size. What must hold: the renamed
/// file's directory entry is synced before a reply, a batch never runs past a prepared file (the next one is taken),
/// every record reads back in order without the zeros counting as damage, the spare follows what the last segment held,
/// and a journal that cannot prepare one works as without preparation.
/// </summary>
public sealed class PreparedSegmentsTests : TempStoreFile
{
    private const string Bot = "피자봇";
    private const long OneMiB = 1024 * 1024;

    private string SpareName => Path.GetFileName(StoreFile) + ".sessions-spare.zeroed";

    private string SegmentName(int number) => Path.GetFileName(StoreFile) + ".sessions-" + number.ToString("D8", CultureInfo.InvariantCulture) + ".journal";

    [Fact]
    public async Task The_first_segment_is_the_prepared_spare_renamed_and_its_directory_entry_is_synced_before_the_first_reply()
    {
        using var files = new FakeJournalFiles();
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, files: files, preparedBytes: OneMiB);
        files.HoldSyncs();

        var appended = journal.AppendAsync(SessionRecord.Write(Bot, "첫손님", Turn("첫손님", 1)));
        files.WaitForSync();
        Assert.False(appended.IsCompleted);
        files.ReleaseSyncs();
        await appended;
        journal.Dispose();

        var events = files.Events.ToList();
        var first = SegmentName(1);
        int At(string e) => events.IndexOf(e) is >= 0 and var i ? i : throw new Xunit.Sdk.XunitException($"no '{e}' in: {string.Join(", ", events)}");
        Assert.True(At($"create-zeroed {SpareName} {OneMiB}") < At($"move {SpareName} {first}"));
        Assert.True(At($"move {SpareName} {first}") < At("sync-dir"));
        Assert.True(At("sync-dir") < events.FindIndex(e => e.StartsWith("write " + first, StringComparison.Ordinal)));
        Assert.True(events.FindIndex(e => e.StartsWith("write " + first, StringComparison.Ordinal)) < At("fsync " + first));
        Assert.DoesNotContain(events, e => e.StartsWith("create ", StringComparison.Ordinal)); // no empty segment was made
        Assert.Equal(files.WrittenBytes[journal.Rotate().Single()], files.SyncedBytes[StoreFileSegment(1)]);
        Assert.Equal("delete " + SpareName, events[^1]); // the spare prepared next was not used: gone with the journal
        Assert.Equal([false, false], files.ZeroedOnThreadPool); // megabytes and an fsync: not on one of the pool's few workers
    }

    [Fact]
    public async Task A_batch_that_would_run_past_a_prepared_segment_starts_the_next_and_every_record_reads_back_in_order()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, preparedBytes: SessionJournal.MinPreparedBytes);
        var written = new List<byte[]>();
        for (var i = 0; i < 400; i++)
        {
            var record = SessionRecord.Write(Bot, "손님-" + i.ToString(CultureInfo.InvariantCulture), Turn("손님", 1 + (i % 7)));
            written.Add(record);
            await journal.AppendAsync(record);
        }

        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(StoreFile)!, SpareName)));
        journal.Dispose();
        var segments = journal.Rotate();

        Assert.True(written.Sum(record => record.Length) > 2 * SessionJournal.MinPreparedBytes, "the records must fill more than two segments");
        Assert.True(segments.Count > 2, $"{segments.Count} segments");
        var read = new List<byte[]>();
        foreach (var segment in segments)
        {
            Assert.Equal(SessionJournal.MinPreparedBytes, new FileInfo(segment).Length); // written over, never past
            var contents = SessionJournal.ReadSegment(segment);
            Assert.Equal(0, contents.Damaged);
            Assert.NotEmpty(contents.Records);
            read.AddRange(contents.Records);
        }

        Assert.Equal(written, read);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(StoreFile)!, SpareName)));
    }

    [Fact]
    public async Task The_spare_is_twice_what_the_last_segment_held_so_a_quiet_bot_writes_few_zeros_and_a_busy_one_grows_them()
    {
        using var files = new FakeJournalFiles();
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, files: files, preparedBytes: OneMiB);
        var record = SessionRecord.Write(Bot, "손님", Turn("손님", 1));

        await journal.AppendAsync(record); // takes the first spare (the largest) and prepares the next one, the same size
        journal.Rotate(); // the segment held one record
        await journal.AppendAsync(record); // takes the second; the third is sized after the first segment
        await WaitForEvent(files, $"create-zeroed {SpareName} {SessionJournal.MinPreparedBytes}");

        var frame = record.Length + JournalFrames.HeaderBytes;
        for (var i = 1; i * frame < 100 * 1024; i++)
        {
            await journal.AppendAsync(record);
        }

        journal.Rotate(); // this one held a little over 100 KiB
        await journal.AppendAsync(record);
        await WaitForEvent(files, $"create-zeroed {SpareName} {256 * 1024}");
        journal.Dispose();

        Assert.Equal(3, files.Events.Count(e => e.StartsWith("move ", StringComparison.Ordinal)));
        Assert.Equal(2, files.Events.Count(e => e.StartsWith($"create-zeroed {SpareName} {OneMiB}", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_journal_that_cannot_prepare_a_spare_writes_empty_segments_as_without_preparation()
    {
        using var files = new FakeJournalFiles { FailZeroed = true };
        var journal = new SessionJournal(StoreFile, 1, durability: SessionDurability.Fsync, files: files, preparedBytes: OneMiB);

        await journal.AppendAsync(SessionRecord.Write(Bot, "첫손님", Turn("첫손님", 1)));
        journal.Rotate();
        await journal.AppendAsync(SessionRecord.Write(Bot, "둘째", Turn("둘째", 1)));
        journal.Dispose();

        var events = files.Events;
        Assert.Equal(["create " + SegmentName(1), "sync-dir"], events.Where(e => !e.StartsWith("delete ", StringComparison.Ordinal)).Take(2));
        Assert.Contains("create " + SegmentName(2), events);
        Assert.Contains("fsync " + SegmentName(2), events);
        Assert.DoesNotContain(events, e => e.StartsWith("move ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_store_killed_in_fsync_mode_replays_its_prepared_segments_without_counting_their_zeros_as_damage()
    {
        const int users = 30;
        var options = new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1), Durability = SessionDurability.Fsync };
        string killed;
        using (var store = new LiteDbStore(StoreFile, options))
        {
            for (var turn = 1; turn <= 2; turn++)
            {
                for (var i = 0; i < users; i++)
                {
                    await store.Sessions.SaveAsync(Bot, User(i), Turn(User(i), turn));
                }
            }

            var segment = Assert.Single(JournalSegments());
            Assert.Equal(SessionJournal.DefaultPreparedBytes, new FileInfo(segment).Length);
            killed = CopyStoreFiles();
        }

        using var recovered = new LiteDbStore(killed, options);
        Assert.Equal(2 * users, recovered.RecoveredSessionWrites);
        Assert.Equal(0, recovered.DamagedJournalRecords);
        for (var i = 0; i < users; i++)
        {
            SessionAssert.Same(Turn(User(i), 2), recovered.Sessions.Find(Bot, User(i)));
        }
    }

    [Fact]
    public void A_spare_left_by_a_killed_process_is_deleted_at_the_next_start_even_in_os_mode()
    {
        CreateDataFile();
        var spare = Path.Combine(Path.GetDirectoryName(StoreFile)!, SpareName);
        File.WriteAllBytes(spare, new byte[SessionJournal.MinPreparedBytes]);

        using var store = new LiteDbStore(StoreFile, new SessionStoreOptions { FlushInterval = TimeSpan.FromHours(1) });

        Assert.False(File.Exists(spare));
        Assert.Equal(0, store.DamagedJournalRecords);
    }

    private static string User(int i) => "손님-" + i.ToString(CultureInfo.InvariantCulture);

    private string StoreFileSegment(int number) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(StoreFile))!, SegmentName(number));

    /// <summary>A spare is prepared in the background: waits until its preparation is recorded.</summary>
    private static async Task WaitForEvent(FakeJournalFiles files, string e)
    {
        for (var waited = 0; !files.Events.Contains(e); waited += 10)
        {
            Assert.True(waited < 10_000, $"no '{e}' in: {string.Join(", ", files.Events)}");
            await Task.Delay(10);
        }
    }
}
