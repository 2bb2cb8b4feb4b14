using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace KakaoFlow.Tests.Schema;

/// <summary>
/// Converts a YAML document to JSON the way an editor's schema check sees it: plain scalars are resolved
/// with the YAML 1.2 core schema (ints and floats become numbers, true/false booleans, null/~/empty null);
/// quoted and block scalars, and anything else plain, stay strings. Explicit tags (<c>!!str</c>, <c>!!int</c>) win.
/// </summary>
internal static partial class YamlToJson
{
    private const string CoreTag = "tag:yaml.org,2002:";

    public static string Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count != 1)
        {
            throw new ArgumentException($"expected one YAML document, found {stream.Documents.Count}", nameof(yaml));
        }

        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, stream.Documents[0].RootNode);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode scalarKey)
                    {
                        throw new NotSupportedException($"a non-text key at {key.Start} cannot become JSON");
                    }

                    writer.WritePropertyName(scalarKey.Value ?? "");
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;

            case YamlSequenceNode list:
                writer.WriteStartArray();
                foreach (var item in list.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;

            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;

            default:
                throw new NotSupportedException($"unexpected YAML node {node.NodeType} at {node.Start}");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        var kind = tag switch
        {
            null when scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any => Resolve(text),
            CoreTag + "null" => ScalarKind.Null,
            CoreTag + "bool" => ScalarKind.Boolean,
            CoreTag + "int" => ScalarKind.Integer,
            CoreTag + "float" => ScalarKind.Float,
            _ => ScalarKind.String,
        };

        switch (kind)
        {
            case ScalarKind.Null:
                writer.WriteNullValue();
                break;
            case ScalarKind.Boolean:
                writer.WriteBooleanValue(text is "true" or "True" or "TRUE");
                break;
            case ScalarKind.Integer:
                writer.WriteRawValue(ParseInteger(text).ToString(CultureInfo.InvariantCulture));
                break;
            case ScalarKind.Float when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            default:
                // Strings, and .inf / .nan, which JSON cannot hold.
                writer.WriteStringValue(text);
                break;
        }
    }

    /// <summary>YAML 1.2 core schema resolution of a plain scalar.</summary>
    internal static ScalarKind Resolve(string text)
    {
        if (NullPattern().IsMatch(text))
        {
            return ScalarKind.Null;
        }

        if (BoolPattern().IsMatch(text))
        {
            return ScalarKind.Boolean;
        }

        if (IntPattern().IsMatch(text))
        {
            return ScalarKind.Integer;
        }

        return FloatPattern().IsMatch(text) ? ScalarKind.Float : ScalarKind.String;
    }

    private static BigInteger ParseInteger(string text)
    {
        if (text.StartsWith("0x", StringComparison.Ordinal))
        {
            return BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        if (text.StartsWith("0o", StringComparison.Ordinal))
        {
            return text[2..].Aggregate(BigInteger.Zero, (value, digit) => (value * 8) + (digit - '0'));
        }

        return BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^(null|Null|NULL|~)?$")]
    private static partial Regex NullPattern();

    [GeneratedRegex("^(true|True|TRUE|false|False|FALSE)$")]
    private static partial Regex BoolPattern();

    [GeneratedRegex("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex FloatPattern();

    internal enum ScalarKind
    {
        Null,
        Boolean,
        Integer,
        Float,
        String,
    }
}
