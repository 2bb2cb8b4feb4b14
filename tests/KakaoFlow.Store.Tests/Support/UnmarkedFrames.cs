using System.Buffers.Binary;
using System.IO.Hashing;

namespace KakaoFlow.Store.Tests.Support;

/// <summary>
/// Journal records as the journal wrote them before frames had markers, <c>[length][CRC-32][payload]</c>: segments left by
/// that version are still replayed.
/// </summary>
internal static class UnmarkedFrames
{
    public static byte[] Of(byte[] payload, uint crcDelta = 0)
    {
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.HashToUInt32(payload) + crcDelta);
        payload.CopyTo(frame.AsSpan(8));
        return frame;
    }
}
