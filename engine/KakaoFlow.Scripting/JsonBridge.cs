using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Scripting;

/// <summary>
/// Session variables and <c>data</c> values are JSON. This converts them into JavaScript values for a run and
/// back afterwards, with JSON.stringify's rules (undefined and functions are left out, NaN is null, a Date is
/// its ISO text) and hard caps on size and depth, so a hook cannot store something unbounded.
/// </summary>
internal static class JsonBridge
{
    /// <summary>Korean stays readable in stored JSON and logs; these values never land in HTML unescaped by us.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsValue ToJs(Engine engine, JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => new JsString(element.GetString() ?? ""),
        JsonValueKind.Number => JsNumber.Create(element.GetDouble()),
        JsonValueKind.True => JsBoolean.True,
        JsonValueKind.False => JsBoolean.False,
        JsonValueKind.Array => ArrayToJs(engine, element),
        JsonValueKind.Object => ObjectToJs(engine, element),
        _ => JsValue.Null,
    };

    private static JsArray ArrayToJs(Engine engine, JsonElement element)
    {
        var items = new JsValue[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            items[i++] = ToJs(engine, item);
        }

        return new JsArray(engine, items);
    }

    private static JsObject ObjectToJs(Engine engine, JsonElement element)
    {
        var result = new JsObject(engine);
        foreach (var property in element.EnumerateObject())
        {
            result.CreateDataProperty(property.Name, ToJs(engine, property.Value));
        }

        return result;
    }

    /// <summary>
    /// The JSON of a JavaScript value, or null when JSON leaves it out (undefined, a function, a symbol).
    /// Throws <see cref="SandboxLimitException"/> past the caps and a JavaScript TypeError for BigInt or a cycle.
    /// </summary>
    public static JsonElement? ToJson(Engine engine, JsValue value, string what)
    {
        switch (value.Type)
        {
            case Types.Undefined or Types.Symbol:
                return null;
            case Types.Null:
                return FlowValues.Null;
            case Types.Boolean:
                return FlowValues.Boolean(value.AsBoolean());
            case Types.String:
                var text = value.AsString();
                if (text.Length > SandboxLimits.MaxValueBytes)
                {
                    throw TooLarge(what);
                }

                return FlowValues.Text(text);
            case Types.Number:
                var number = value.AsNumber();
                return double.IsFinite(number) ? FlowValues.Number(number) : FlowValues.Null;
        }

        if (value.IsCallable())
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            var walker = new Walker(engine, writer, what);
            walker.Write(value, 0);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static SandboxLimitException TooLarge(string what) =>
        new(MessageText.Format(ScriptMessages.ValueTooLarge, what, SandboxLimits.MaxValueBytes));

    private sealed class Walker(Engine engine, Utf8JsonWriter writer, string what)
    {
        private readonly List<ObjectInstance> _path = [];

        public void Write(JsValue value, int depth)
        {
            switch (value.Type)
            {
                case Types.Null or Types.Undefined or Types.Symbol:
                    writer.WriteNullValue();
                    break;
                case Types.Boolean:
                    writer.WriteBooleanValue(value.AsBoolean());
                    break;
                case Types.String:
                    writer.WriteStringValue(value.AsString());
                    break;
                case Types.Number:
                    var number = value.AsNumber();
                    if (double.IsFinite(number))
                    {
                        writer.WriteNumberValue(number);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }

                    break;
                case Types.BigInt:
                    throw new JavaScriptException(engine.Intrinsics.TypeError, MessageText.Format(ScriptMessages.ValueBigInt, what));
                default:
                    WriteObject(value, depth);
                    break;
            }

            if (writer.BytesCommitted + writer.BytesPending > SandboxLimits.MaxValueBytes)
            {
                throw TooLarge(what);
            }
        }

        private void WriteObject(JsValue value, int depth)
        {
            if (value.IsCallable())
            {
                writer.WriteNullValue();
                return;
            }

            if (value.IsDate())
            {
                WriteDate((JsDate)value);
                return;
            }

            var obj = Enter(value.AsObject(), depth);
            if (value.IsArray())
            {
                WriteArray(obj, depth);
            }
            else
            {
                WriteProperties(obj, depth);
            }

            _path.RemoveAt(_path.Count - 1);
        }

        /// <summary>As JSON.stringify writes a Date: its ISO text in UTC, or null for an invalid date.</summary>
        private void WriteDate(JsDate date)
        {
            var time = date.DateValue;
            if (double.IsFinite(time))
            {
                writer.WriteStringValue(DateTimeOffset.FromUnixTimeMilliseconds((long)time).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        /// <summary>Steps into <paramref name="obj"/>; throws past the depth cap, or when it is already on the way down (a cycle).</summary>
        private ObjectInstance Enter(ObjectInstance obj, int depth)
        {
            if (depth >= SandboxLimits.MaxValueDepth)
            {
                throw new SandboxLimitException(MessageText.Format(ScriptMessages.ValueTooDeep, what, SandboxLimits.MaxValueDepth));
            }

            foreach (var seen in _path)
            {
                if (ReferenceEquals(seen, obj))
                {
                    throw new JavaScriptException(engine.Intrinsics.TypeError, MessageText.Format(ScriptMessages.ValueCycle, what));
                }
            }

            _path.Add(obj);
            return obj;
        }

        /// <summary>Every index up to the length; a function, undefined or a hole is null, as in JSON.stringify.</summary>
        private void WriteArray(ObjectInstance array, int depth)
        {
            var length = TypeConverter.ToLength(array.Get("length"));
            if (length > SandboxLimits.MaxArraySize)
            {
                throw TooLarge(what);
            }

            writer.WriteStartArray();
            for (var i = 0UL; i < length; i++)
            {
                var item = array.Get(JsNumber.Create((double)i));
                Write(item.IsCallable() ? JsValue.Null : item, depth + 1);
            }

            writer.WriteEndArray();
        }

        /// <summary>Own enumerable string-keyed properties; undefined, symbols and functions are left out, as in JSON.stringify.</summary>
        private void WriteProperties(ObjectInstance obj, int depth)
        {
            writer.WriteStartObject();
            foreach (var key in obj.GetOwnPropertyKeys(Types.String))
            {
                var descriptor = obj.GetOwnProperty(key);
                if (descriptor == Jint.Runtime.Descriptors.PropertyDescriptor.Undefined || !descriptor.Enumerable)
                {
                    continue;
                }

                var item = obj.Get(key);
                if (item.IsUndefined() || item.IsSymbol() || item.IsCallable())
                {
                    continue;
                }

                writer.WritePropertyName(key.ToString());
                Write(item, depth + 1);
            }

            writer.WriteEndObject();
        }
    }
}

/// <summary>A host-side cap (value size, depth) was passed; reported as <see cref="HookFailureKind.Limit"/>.</summary>
internal sealed class SandboxLimitException(string message) : Exception(message);
