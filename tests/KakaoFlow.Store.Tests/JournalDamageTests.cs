using System.Globalization;
using KakaoFlow.Runtime;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>
/// A damaged byte in the session journal costs exactly the record it is in: the replay skips that record, reads on,
/// and counts it (a killed process's journal is replayed at the next start; see <see cref="SessionJournalTests"/>).
/// </summary>
public sealed class JournalDamageTests : TempStoreFile
{
    private const string Bot = "피자봇";
    private const int Users = 200;
    private const int Turns = 3;

    private static readonly SessionStoreOptions NoBackgroundFlush = new() { FlushInterval = TimeSpan.FromHours(1) };

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(0.1, 5)]
    [InlineData(0.9, 13)]
    public async Task One_damaged_byte_in_the_middle_of_the_journal_loses_one_record_and_the_replay_says_so(double where, int intoTheRecord)
    {
        var crashed = await KilledWithAJournalAsync();
        var segment = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(crashed)!, "*.journal"));
        var bytes = File.ReadAllBytes(segment);
        var (damagedUser, damagedTurn) = FlipInRecord(bytes, (int)(where * Users * Turns), intoTheRecord);
        File.WriteAllBytes(segment, bytes);

        using var store = new LiteDbStore(crashed, NoBackgroundFlush);

        Assert.Equal((Users * Turns) - 1, store.RecoveredSessionWrites);
        Assert.Equal(1, store.DamagedJournalRecords);
        for (var i = 0; i < Users; i++)
        {
            var expectedTurn = UserKey(i) == damagedUser && damagedTurn == Turns ? Turns - 1 : Turns;
            SessionAssert.Same(Sessions.Turn(UserKey(i), expectedTurn), store.Sessions.Find(Bot, UserKey(i)));
        }
    }

    [Fact]
    public void A_damaged_byte_anywhere_costs_exactly_the_record_it_is_in()
    {
        var records = Enumerable.Range(0, 24).Select(i => SessionRecord.Write(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1 + (i % 5)))).ToList();
        var segment = records.SelectMany(record => JournalFrames.Frame(record)).ToArray();
        var starts = new List<int>();
        var offset = 0;
        foreach (var record in records)
        {
            starts.Add(offset);
            offset += JournalFrames.HeaderBytes + record.Length;
        }

        foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
        {
            for (var at = 0; at < segment.Length; at++)
            {
                var damaged = segment.ToArray();
                damaged[at] ^= mask;
                var hit = starts.FindLastIndex(start => start <= at);

                var read = JournalFrames.Read(damaged);

                Assert.True(read.Damaged == 1, $"byte {at} ^ {mask:x2} (record {hit}): {read.Damaged} damaged");
                Assert.True(
                    read.Records.Select(Convert.ToBase64String).SequenceEqual(records.Where((_, i) => i != hit).Select(Convert.ToBase64String)),
                    $"byte {at} ^ {mask:x2} (record {hit}): {read.Records.Count} records read");
            }
        }
    }

    [Theory]
    [InlineData(40)]
    [InlineData(10)]
    [InlineData(3)]
    public void A_torn_last_frame_is_a_write_that_never_finished_not_damage(int keep)
    {
        var whole = SessionRecord.Write(Bot, "앞손님", Sessions.Turn("앞손님", 1));
        var torn = JournalFrames.Frame(SessionRecord.Write(Bot, "유령", Sessions.Turn("유령", 1)))[..keep];

        var read = JournalFrames.Read([.. JournalFrames.Frame(whole), .. torn]);

        Assert.Equal(0, read.Damaged);
        Assert.Equal(whole, Assert.Single(read.Records));
    }

    [Fact]
    public void The_zeros_after_the_records_of_a_prepared_segment_are_unused_room_not_damage()
    {
        var records = Enumerable.Range(0, 5).Select(i => SessionRecord.Write(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1))).ToList();

        var read = JournalFrames.Read([.. records.SelectMany(record => JournalFrames.Frame(record)), .. new byte[64 * 1024]]);

        Assert.Equal(0, read.Damaged);
        Assert.Equal(records, read.Records);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(10)]
    [InlineData(3)]
    public void A_last_frame_cut_short_by_the_zeros_of_a_prepared_segment_is_a_write_that_never_finished(int keep)
    {
        var whole = SessionRecord.Write(Bot, "앞손님", Sessions.Turn("앞손님", 1));
        var torn = JournalFrames.Frame(SessionRecord.Write(Bot, "유령", Sessions.Turn("유령", 1)));
        torn.AsSpan(keep).Clear(); // the rest of it never reached the disk: the prepared zeros are still there

        var read = JournalFrames.Read([.. JournalFrames.Frame(whole), .. torn, .. new byte[4096]]);

        Assert.Equal(0, read.Damaged);
        Assert.Equal(whole, Assert.Single(read.Records));
    }

    [Fact]
    public void A_damaged_byte_in_the_last_record_before_the_zeros_is_still_damage()
    {
        var records = Enumerable.Range(0, 3).Select(i => SessionRecord.Write(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1))).ToList();
        var frames = records.Select(record => JournalFrames.Frame(record)).ToList();
        frames[2][JournalFrames.HeaderBytes + 5] ^= 0x20;

        var read = JournalFrames.Read([.. frames.SelectMany(frame => frame), .. new byte[4096]]);

        Assert.Equal(1, read.Damaged);
        Assert.Equal(records.Take(2), read.Records);
    }

    [Fact]
    public void A_segment_written_before_frames_had_markers_is_still_read_and_read_on_past_a_damaged_record()
    {
        var records = Enumerable.Range(0, 6).Select(i => SessionRecord.Write(Bot, UserKey(i), Sessions.Turn(UserKey(i), 1))).ToList();
        var frames = records.Select(record => UnmarkedFrames.Of(record)).ToList();
        Assert.Equal(records, JournalFrames.Read([.. frames.SelectMany(frame => frame)]).Records);

        frames[2][20] ^= 0x20; // inside the third record's payload
        var read = JournalFrames.Read([.. frames.SelectMany(frame => frame)]);

        Assert.Equal(1, read.Damaged);
        Assert.Equal(records.Where((_, i) => i != 2), read.Records);
    }

    /// <summary>A store killed with <see cref="Users"/> × <see cref="Turns"/> acknowledged writes in one journal segment, turns interleaved across users.</summary>
    private async Task<string> KilledWithAJournalAsync()
    {
        using var store = new LiteDbStore(StoreFile, NoBackgroundFlush);
        for (var turn = 1; turn <= Turns; turn++)
        {
            for (var i = 0; i < Users; i++)
            {
                await store.Sessions.SaveAsync(Bot, UserKey(i), Sessions.Turn(UserKey(i), turn));
            }
        }

        return CopyStoreFiles();
    }

    /// <summary>Changes one byte <paramref name="into"/> record number <paramref name="index"/>; returns whose write it was.</summary>
    private static (string User, int Turn) FlipInRecord(byte[] segment, int index, int into)
    {
        // The records are in the order they were written: user i's turn t is number (t - 1) * Users + i.
        var (turn, user) = (1 + (index / Users), index % Users);
        var offset = 0;
        for (var n = 0; n < index; n++)
        {
            offset += JournalFrames.HeaderBytes + SessionRecord.Write(Bot, UserKey(n % Users), Sessions.Turn(UserKey(n % Users), 1 + (n / Users))).Length;
        }

        segment[offset + into] ^= 0x20;
        return (UserKey(user), turn);
    }

    private static string UserKey(int i) => "손님-" + i.ToString(CultureInfo.InvariantCulture);
}
