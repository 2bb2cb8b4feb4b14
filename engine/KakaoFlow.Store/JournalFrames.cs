using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace KakaoFlow.Store;

/// <summary>What a journal segment holds: its complete records in order, and how many were damaged and skipped.</summary>
internal sealed record SegmentContents(IReadOnlyList<byte[]> Records, int Damaged);

/// <summary>
/// How session journal records are framed in a segment, so that a damaged byte costs exactly the record it is in.
/// </summary>
/// <remarks>
/// <para>
/// A frame is a 16-byte header, then the payload: <c>[marker FF 4B 46 4A][payload length: int32 LE][CRC-32 of the
/// payload: uint32 LE][CRC-32 of the 12 bytes before: uint32 LE][payload]</c>. The payload is a session record's UTF-8
/// JSON, which never holds the byte <c>FF</c>, so a marker is found only where a frame begins (or, by a 2^-32 chance, in
/// a header's binary fields, where the header's own CRC rejects it).
/// </para>
/// <para>
/// Reading: a frame with a good header and a good payload is a record. A good header whose payload fails its CRC is one
/// damaged record, and the header says where the next frame begins. A bad header (a damaged marker, length or CRC) is
/// skipped up to the next good header; the bytes between count as one damaged record, or as many as markers begin in
/// them. What follows the last good frame is a torn tail when it could be a write that never finished — a good header
/// whose payload is cut short, or fewer bytes than a header — and is ignored: nothing was acknowledged for it. In a
/// prepared segment (<see cref="SessionJournal"/>, fsync mode) the records are followed by zeros: reading stops at them,
/// and a frame that fails its CRC where its payload reaches into them is such a write, cut short by the zeros instead of
/// the end of the file. (A complete record never ends in a zero byte: a session record is JSON.)
/// </para>
/// <para>
/// Segments written before frames had markers (<c>[length][CRC][payload]</c>, no header CRC) are read too: a segment
/// without a single marker is one of those. There a record that fails is skipped up to the next place a record
/// begins (a good length and CRC whose payload starts like every session record, <c>{"bot":"</c>), counted as one
/// damaged record; with no such place after it, the rest is taken for a torn tail, as the older version did.
/// </para>
/// </remarks>
internal static class JournalFrames
{
    public const int HeaderBytes = 16;

    private const int OldHeaderBytes = 8;

    private static ReadOnlySpan<byte> Marker => [0xFF, 0x4B, 0x46, 0x4A];

    private static ReadOnlySpan<byte> SessionStart => "{\"bot\":\""u8;

    /// <summary>Appends one frame holding <paramref name="payload"/>.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        var header = output.GetSpan(HeaderBytes)[..HeaderBytes];
        Marker.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32.HashToUInt32(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Crc32.HashToUInt32(header[..12]));
        output.Advance(HeaderBytes);
        output.Write(payload);
    }

    /// <summary>One frame holding <paramref name="payload"/> (for tests and tools).</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var output = new ArrayBufferWriter<byte>(HeaderBytes + payload.Length);
        Write(output, payload);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A segment with a marker anywhere in it is framed: unmarked records hold none (their payloads have no <c>FF</c>).</summary>
    public static SegmentContents Read(byte[] bytes) =>
        bytes.AsSpan().IndexOf(Marker) >= 0 ? ReadFramed(bytes) : ReadUnmarked(bytes);

    private static SegmentContents ReadFramed(byte[] bytes)
    {
        var records = new List<byte[]>();
        var damaged = 0;
        var offset = 0;
        // A prepared segment is a file of zeros written over from its start: the zeros after the last record are room
        // never used, and a write cut short there ends in zeros instead of at the end of the file.
        var used = bytes.AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
        while (offset < used)
        {
            if (IsHeader(bytes, offset))
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 4));
                if (length > bytes.Length - offset - HeaderBytes)
                {
                    break; // a write that never finished
                }

                var payload = bytes.AsSpan(offset + HeaderBytes, length);
                if (Crc32.HashToUInt32(payload) == BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)))
                {
                    records.Add(payload.ToArray());
                }
                else if (offset + HeaderBytes + length > used)
                {
                    break; // its payload runs into the unused zeros: a write that never finished
                }
                else
                {
                    damaged++;
                }

                offset += HeaderBytes + length;
                continue;
            }

            var next = NextHeader(bytes, offset + 1);
            if (next < 0 && used - offset < HeaderBytes)
            {
                break; // a header cut short: a write that never finished
            }

            var end = next < 0 ? used : next;
            damaged += Math.Max(1, CountMarkers(bytes.AsSpan(offset, end - offset)));
            offset = end;
        }

        return new SegmentContents(records, damaged);
    }

    private static SegmentContents ReadUnmarked(byte[] bytes)
    {
        var records = new List<byte[]>();
        var damaged = 0;
        var offset = 0;
        while (bytes.Length - offset >= OldHeaderBytes)
        {
            if (IsUnmarkedRecord(bytes, offset, out var length))
            {
                records.Add(bytes.AsSpan(offset + OldHeaderBytes, length).ToArray());
                offset += OldHeaderBytes + length;
                continue;
            }

            var next = NextUnmarkedRecord(bytes, offset + 1);
            if (next < 0)
            {
                break; // taken for a torn tail, as before frames had markers
            }

            damaged++;
            offset = next;
        }

        return new SegmentContents(records, damaged);
    }

    private static bool IsHeader(byte[] bytes, int offset)
    {
        if (bytes.Length - offset < HeaderBytes || !bytes.AsSpan(offset, Marker.Length).SequenceEqual(Marker))
        {
            return false;
        }

        var header = bytes.AsSpan(offset, HeaderBytes);
        return BinaryPrimitives.ReadInt32LittleEndian(header[4..]) >= 0
            && Crc32.HashToUInt32(header[..12]) == BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
    }

    private static int NextHeader(byte[] bytes, int from)
    {
        while (from < bytes.Length)
        {
            var found = bytes.AsSpan(from).IndexOf(Marker);
            if (found < 0)
            {
                return -1;
            }

            if (IsHeader(bytes, from + found))
            {
                return from + found;
            }

            from += found + 1;
        }

        return -1;
    }

    private static int CountMarkers(ReadOnlySpan<byte> bytes)
    {
        var count = 0;
        for (var found = bytes.IndexOf(Marker); found >= 0; found = bytes.IndexOf(Marker))
        {
            count++;
            bytes = bytes[(found + 1)..];
        }

        return count;
    }

    private static bool IsUnmarkedRecord(byte[] bytes, int offset, out int length)
    {
        length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
        return length >= 0
            && length <= bytes.Length - offset - OldHeaderBytes
            && Crc32.HashToUInt32(bytes.AsSpan(offset + OldHeaderBytes, length)) == BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
    }

    /// <summary>The next place an unmarked record of a session begins: its payload starts with <c>{"bot":"</c>.</summary>
    private static int NextUnmarkedRecord(byte[] bytes, int from)
    {
        while (from + OldHeaderBytes < bytes.Length)
        {
            var found = bytes.AsSpan(from + OldHeaderBytes).IndexOf(SessionStart);
            if (found < 0)
            {
                return -1;
            }

            if (IsUnmarkedRecord(bytes, from + found, out _))
            {
                return from + found;
            }

            from += found + 1;
        }

        return -1;
    }
}
