using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KakaoFlow.Storage;

/// <summary>
/// A bot's data would take more than its limit (<c>settings.data_limit_mb</c>, <see cref="IBotDataStore.Set(string, string, JsonElement, long)"/>):
/// nothing was written. Not a storage failure: the store is fine, the bot asked for too much.
/// </summary>
public sealed class BotDataLimitException : Exception
{
    public BotDataLimitException()
    {
    }

    public BotDataLimitException(string message)
        : base(message)
    {
    }

    public BotDataLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BotDataLimitException(long limitBytes, long wouldTake)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"the bot's data would take {wouldTake / 1048576.0:0.##} MiB, over its limit of {limitBytes / 1048576.0:0.##} MiB (settings.data_limit_mb); delete what it no longer needs"))
    {
        LimitBytes = limitBytes;
        WouldTake = wouldTake;
    }

    public long LimitBytes { get; }

    public long WouldTake { get; }
}

/// <summary>
/// How much of its limit one value of a bot's data takes: its key and its JSON text, in UTF-8 bytes (the text written
/// compactly, non-ASCII characters as themselves, as the stores keep it).
/// </summary>
public static class BotDataSize
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static long Of(string key, string json) => Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(json);

    public static long Of(string key, JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetByteCount(key) + buffer.WrittenCount;
    }
}
