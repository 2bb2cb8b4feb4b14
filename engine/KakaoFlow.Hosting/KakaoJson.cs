using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using KakaoFlow.Runtime;

namespace KakaoFlow.Hosting;

/// <summary>
/// The JSON that goes back to Kakao, written by hand so field names, order and omissions are exactly
/// those of docs/kakao-api.md: a message has only the parts that are set, a text keyboard has no <c>buttons</c>.
/// Korean is written as UTF-8, not <c>\uXXXX</c>.
/// </summary>
internal static class KakaoJson
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The success body, byte for byte.</summary>
    public static ReadOnlyMemory<byte> Success { get; } = "{\"code\":0,\"message\":\"SUCCESS\"}"u8.ToArray();

    public static byte[] Reply(Reply reply) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WritePropertyName("message");
        WriteMessage(writer, reply.Message);
        writer.WritePropertyName("keyboard");
        WriteKeyboard(writer, reply.Keyboard);
        writer.WriteEndObject();
    });

    public static byte[] Keyboard(Keyboard keyboard) => Write(writer => WriteKeyboard(writer, keyboard));

    public static byte[] Error(int code, string message) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
    });

    private static void WriteMessage(Utf8JsonWriter writer, ReplyMessage message)
    {
        writer.WriteStartObject();
        if (message.Text is { } text)
        {
            writer.WriteString("text", text);
        }

        if (message.Photo is { } photo)
        {
            writer.WriteStartObject("photo");
            writer.WriteString("url", photo.Url);
            writer.WriteNumber("width", photo.Width);
            writer.WriteNumber("height", photo.Height);
            writer.WriteEndObject();
        }

        if (message.Link is { } link)
        {
            writer.WriteStartObject("message_button");
            writer.WriteString("label", link.Label);
            writer.WriteString("url", link.Url);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteKeyboard(Utf8JsonWriter writer, Keyboard keyboard)
    {
        writer.WriteStartObject();
        if (keyboard.Kind == KeyboardKind.Buttons)
        {
            writer.WriteString("type", "buttons");
            writer.WriteStartArray("buttons");
            foreach (var label in keyboard.Buttons)
            {
                writer.WriteStringValue(label);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteString("type", "text");
        }

        writer.WriteEndObject();
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>One JSON body, written into this thread's reused buffer (also used for skill answers).</summary>
    internal static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        var body = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null; // a huge reply should not pin a huge buffer on this thread
        }

        return body;
    }
}
