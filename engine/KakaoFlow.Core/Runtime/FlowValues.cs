using System.Globalization;
using System.Text.Json;

namespace KakaoFlow.Runtime;

/// <summary>
/// Session variables are JSON values (immutable, storable, and what hooks exchange).
/// This is where they are made and printed.
/// </summary>
public static class FlowValues
{
    public static JsonElement Text(string text) => JsonSerializer.SerializeToElement(text, FlowJsonContext.Default.String);

    public static JsonElement Number(double number) => JsonSerializer.SerializeToElement(number, FlowJsonContext.Default.Double);

    public static JsonElement Boolean(bool value) => JsonSerializer.SerializeToElement(value, FlowJsonContext.Default.Boolean);

    public static JsonElement Null { get; } = JsonDocument.Parse("null").RootElement.Clone();

    /// <summary>How a value prints inside a reply: numbers without a trailing <c>.0</c>, missing or null as empty.</summary>
    public static string Print(JsonElement? value)
    {
        if (value is not { } v)
        {
            return "";
        }

        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Number => PrintNumber(v),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => v.GetRawText(),
        };
    }

    private static string PrintNumber(JsonElement value)
    {
        if (value.TryGetInt64(out var whole))
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }

        var number = value.GetDouble();
        return number == Math.Floor(number) && Math.Abs(number) < 1e15
            ? ((long)number).ToString(CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A plain YAML scalar in <c>set</c>: integers and decimals are numbers, <c>true</c>/<c>false</c> are booleans,
    /// everything else (and anything quoted) is text — including numbers with a leading zero, which are codes.
    /// </summary>
    public static JsonElement FromSetScalar(string text, bool plain)
    {
        if (plain)
        {
            if (text == "true")
            {
                return Boolean(true);
            }

            if (text == "false")
            {
                return Boolean(false);
            }

            if (IsPlainNumber(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return Number(number);
            }
        }

        return Text(text);
    }

    private static bool IsPlainNumber(string text)
    {
        var digits = 0;
        var dots = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '-' or '+' && i == 0)
            {
                continue;
            }

            if (c == '.')
            {
                dots++;
                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            digits++;
        }

        // Leading zeros (zip codes, order numbers like 01234) and more digits than a double keeps exactly stay text.
        var unsigned = text.TrimStart('-', '+');
        var leadingZero = unsigned.Length > 1 && unsigned[0] == '0' && unsigned[1] != '.';
        return digits is > 0 and <= 15 && dots <= 1 && !leadingZero && !text.EndsWith('.') && !text.StartsWith('.');
    }
}
