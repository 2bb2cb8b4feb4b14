using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Runtime;
using KakaoFlow.Yaml;

namespace KakaoFlow.Model;

/// <summary>
/// Turns the YAML tree of a flow file into the typed <see cref="FlowDocument"/>. It checks shape only
/// (known keys, mapping vs list vs text); meaning is the compiler's job. Every scalar in a text position
/// stays the text the owner wrote: no YAML 1.1 booleans or numbers sneak in.
/// </summary>
public sealed class FlowReader
{
    internal static readonly string[] TopKeys = ["name", "monitor", "privacy_consent", "settings", "messages", "home", "steps", "scripts"];
    internal static readonly string[] MonitorKeys = ["phone"];
    internal static readonly string[] SettingKeys = ["context_ttl", "error_limit_per_day", "hook_timeout", "retention", "hook_max_statements", "hook_memory_mb", "hook_max_recursion", "data_limit_mb"];
    internal static readonly string[] MessageKeys = ["fallback", "error", "stopped", "home", "retry", "changed"];
    internal static readonly string[] StepKeys = ["say", "photo", "link", "buttons", "input", "set", "js", "goto"];
    internal static readonly string[] PhotoKeys = ["url", "width", "height"];
    internal static readonly string[] LinkKeys = ["label", "url"];
    internal static readonly string[] InputKeys = ["save", "type", "check", "retry", "next"];

    private readonly YamlSourceText _source;
    private readonly DiagnosticBag _diagnostics;

    private FlowReader(YamlSourceText source, DiagnosticBag diagnostics)
    {
        _source = source;
        _diagnostics = diagnostics;
    }

    /// <summary>Loads and reads a flow file's text; returns null when nothing usable could be read.</summary>
    public static FlowDocument? Read(YamlSourceText source, DiagnosticBag diagnostics)
    {
        var root = YamlDocumentLoader.Load(source, diagnostics);
        if (root is null)
        {
            if (!diagnostics.HasErrors)
            {
                diagnostics.Report(DiagnosticCodes.MissingKey, SourceSpan.StartOf(source.File), "a flow file", "home");
            }

            return null;
        }

        return new FlowReader(source, diagnostics).ReadDocument(root);
    }

    private FlowDocument? ReadDocument(YamlNodeBase root)
    {
        if (!Expect<YamlMappingNode>(root, "a flow file", "a mapping of keys like name, home and steps", out var map))
        {
            return null;
        }

        CheckKeys(map, TopKeys, "the flow");
        var phone = ReadMonitorPhone(map["monitor"]);
        var consent = ReadConsent(map["privacy_consent"]);
        var settings = ReadSettings(map["settings"]);
        var messages = ReadMessages(map["messages"]);
        var home = ReadHome(map);
        var steps = ReadSteps(map["steps"]);
        var scripts = ReadScripts(map["scripts"]);
        return new FlowDocument(
            _source.File,
            map["name"] is { } nameNode ? ReadName(nameNode, "name") : null,
            phone,
            consent,
            settings,
            messages,
            home,
            steps,
            scripts);
    }

    private Located<string>? ReadMonitorPhone(YamlNodeBase? node)
    {
        if (node is null || !Expect<YamlMappingNode>(node, "monitor", "a mapping with 'phone'", out var monitor))
        {
            return null;
        }

        CheckKeys(monitor, MonitorKeys, "monitor");
        return ReadName(monitor["phone"], "monitor.phone");
    }

    /// <summary>Only a plain <c>true</c> or <c>false</c>: a quoted "false" or a YAML 1.1 <c>no</c> is a mistake, not a no.</summary>
    private Located<bool>? ReadConsent(YamlNodeBase? node) => node switch
    {
        null => null,
        YamlScalarNode { Style: YamlScalarStyle.Plain, Value: "true" or "false" } flag => new(flag.Value == "true", flag.Span),
        _ => Reject(node, "privacy_consent", "true or false"),
    };

    private ImmutableDictionary<string, Located<string>> ReadSettings(YamlNodeBase? node)
    {
        var settings = ImmutableDictionary.CreateBuilder<string, Located<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in KnownEntries(node, "settings", SettingKeys))
        {
            if (ReadName(value, "settings." + key.Value) is { } text)
            {
                settings[key.Value] = text;
            }
        }

        return settings.ToImmutable();
    }

    private ImmutableDictionary<string, SourceText> ReadMessages(YamlNodeBase? node)
    {
        var messages = ImmutableDictionary.CreateBuilder<string, SourceText>(StringComparer.Ordinal);
        foreach (var (key, value) in KnownEntries(node, "messages", MessageKeys))
        {
            if (ReadText(value, "messages." + key.Value) is { } text)
            {
                messages[key.Value] = text;
            }
        }

        return messages.ToImmutable();
    }

    /// <summary>
    /// The entries of an optional section that is a mapping of fixed keys (<c>settings</c>, <c>messages</c>):
    /// unknown keys are reported and left out, a missing or empty section has none.
    /// </summary>
    private IEnumerable<KeyValuePair<YamlScalarNode, YamlNodeBase>> KnownEntries(YamlNodeBase? node, string section, string[] known)
    {
        if (!TryReadSection<YamlMappingNode>(node, section, "a mapping", out var map))
        {
            return [];
        }

        CheckKeys(map, known, section);
        return map.Entries.Where(entry => known.Contains(entry.Key.Value));
    }

    private ButtonList? ReadHome(YamlMappingNode map)
    {
        if (map["home"] is not { } home)
        {
            _diagnostics.Report(DiagnosticCodes.MissingKey, map.Span, "a flow", "home");
            return null;
        }

        return ReadButtons(home, "home");
    }

    private ImmutableArray<NamedStep> ReadSteps(YamlNodeBase? node)
    {
        if (!TryReadSection<YamlMappingNode>(node, "steps", "a mapping of step names to steps", out var map))
        {
            return [];
        }

        var steps = ImmutableArray.CreateBuilder<NamedStep>();
        foreach (var (key, value) in map.Entries)
        {
            if (ReadStep(value, $"step '{key.Value}'") is { } step)
            {
                steps.Add(new NamedStep(new(key.Value, key.Span), step));
            }
        }

        return steps.ToImmutable();
    }

    private ImmutableArray<Located<string>> ReadScripts(YamlNodeBase? node)
    {
        if (!TryReadSection<YamlSequenceNode>(node, "scripts", "a list of .js file names", out var list))
        {
            return [];
        }

        var scripts = ImmutableArray.CreateBuilder<Located<string>>();
        foreach (var item in list.Items)
        {
            if (ReadName(item, "a script file name") is { } file)
            {
                scripts.Add(file);
            }
        }

        return scripts.ToImmutable();
    }

    private ButtonList? ReadButtons(YamlNodeBase node, string where)
    {
        if (!Expect<YamlSequenceNode>(node, where, "a list of buttons (- label: reply)", out var list))
        {
            return null;
        }

        var buttons = ImmutableArray.CreateBuilder<ButtonNode>();
        foreach (var item in list.Items)
        {
            if (item is not YamlMappingNode { Entries.Count: 1 } entry)
            {
                _diagnostics.ReportWithHint(DiagnosticCodes.WrongShape, item.Span, "write '- 라벨: 답' or '- 라벨: { goto: step }'", "a button", "one 'label: reply' or 'label: step' pair");
                continue;
            }

            var (label, value) = entry.Entries[0];
            if (string.IsNullOrWhiteSpace(label.Value))
            {
                _diagnostics.Report(DiagnosticCodes.EmptyLabel, label.Span);
                continue;
            }

            var labelText = new Located<string>(label.Value, label.Span);
            switch (value)
            {
                case YamlScalarNode scalar when !scalar.IsNull:
                    buttons.Add(new ButtonNode(labelText, StepNode.Leaf(ToText(scalar)), IsLeaf: true));
                    break;
                case YamlMappingNode:
                    if (ReadStep(value, $"button '{label.Value}'") is { } step)
                    {
                        buttons.Add(new ButtonNode(labelText, step, IsLeaf: false));
                    }

                    break;
                default:
                    _diagnostics.ReportWithHint(DiagnosticCodes.WrongShape, value.Span, "give the reply text, or a step such as { say: ..., goto: ... }", $"button '{label.Value}'", "a reply text or a step");
                    break;
            }
        }

        return new ButtonList(list.Span, buttons.ToImmutable(), list.Items.Count);
    }

    private StepNode? ReadStep(YamlNodeBase node, string where)
    {
        if (node is YamlScalarNode scalar && !scalar.IsNull)
        {
            // A named step written as plain text is a step that only says it.
            return StepNode.Leaf(ToText(scalar));
        }

        if (!Expect<YamlMappingNode>(node, where, "a step (a mapping with say, buttons, goto, ...)", out var map))
        {
            return null;
        }

        CheckKeys(map, StepKeys, where);
        return new StepNode(
            map.Span,
            map["say"] is { } say ? ReadText(say, where + " say") : null,
            map["photo"] is { } photo ? ReadPhoto(photo, where) : null,
            map["link"] is { } link ? ReadLink(link, where) : null,
            map["set"] is { } set ? ReadSet(set, where) : [],
            map["js"] is { } js ? ReadText(js, where + " js") : null,
            map["goto"] is { } target ? ReadName(target, where + " goto") : null,
            map["buttons"] is { } buttons ? ReadButtons(buttons, where + " buttons") : null,
            map["input"] is { } input ? ReadInput(input, where) : null);
    }

    private PhotoNode? ReadPhoto(YamlNodeBase node, string where)
    {
        if (!Expect<YamlMappingNode>(node, where + " photo", "a mapping with url, width and height", out var map))
        {
            return null;
        }

        CheckKeys(map, PhotoKeys, "photo");
        return new PhotoNode(
            map.Span,
            map["url"] is { } url ? ReadText(url, "photo url") : null,
            map["width"] is { } width ? ReadPositiveInt(width, "photo width") : null,
            map["height"] is { } height ? ReadPositiveInt(height, "photo height") : null);
    }

    private LinkNode? ReadLink(YamlNodeBase node, string where)
    {
        if (!Expect<YamlMappingNode>(node, where + " link", "a mapping with label and url", out var map))
        {
            return null;
        }

        CheckKeys(map, LinkKeys, "link");
        return new LinkNode(
            map.Span,
            map["label"] is { } label ? ReadText(label, "link label") : null,
            map["url"] is { } url ? ReadText(url, "link url") : null);
    }

    private ImmutableArray<SetNode> ReadSet(YamlNodeBase node, string where)
    {
        if (!Expect<YamlMappingNode>(node, where + " set", "a mapping of variable names to values", out var map))
        {
            return [];
        }

        var result = ImmutableArray.CreateBuilder<SetNode>();
        foreach (var (key, value) in map.Entries)
        {
            result.Add(new SetNode(new(key.Value, key.Span), ToValue(value)));
        }

        return result.ToImmutable();
    }

    private InputNode? ReadInput(YamlNodeBase node, string where)
    {
        if (!Expect<YamlMappingNode>(node, where + " input", "a mapping with save and next", out var map))
        {
            return null;
        }

        CheckKeys(map, InputKeys, "input");
        return new InputNode(
            map.Span,
            map["save"] is { } save ? ReadName(save, "input save") : null,
            map["type"] is { } type ? ReadName(type, "input type") : null,
            map["check"] is { } check ? ReadText(check, "input check") : null,
            map["retry"] is { } retry ? ReadText(retry, "input retry") : null,
            map["next"] is { } next ? ReadName(next, "input next") : null);
    }

    /// <summary>A YAML value typed as in <c>set</c> (also used for a scenario's <c>vars</c>).</summary>
    internal static JsonElement ToValue(YamlNodeBase node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                return scalar.IsNull ? FlowValues.Null : FlowValues.FromSetScalar(scalar.Value, scalar.Style == YamlScalarStyle.Plain);
            case YamlSequenceNode list:
                using (var stream = new MemoryStream())
                {
                    using (var writer = new Utf8JsonWriter(stream))
                    {
                        writer.WriteStartArray();
                        foreach (var item in list.Items)
                        {
                            ToValue(item).WriteTo(writer);
                        }

                        writer.WriteEndArray();
                    }

                    return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
                }

            case YamlMappingNode map:
                using (var stream = new MemoryStream())
                {
                    using (var writer = new Utf8JsonWriter(stream))
                    {
                        writer.WriteStartObject();
                        foreach (var (key, value) in map.Entries)
                        {
                            writer.WritePropertyName(key.Value);
                            ToValue(value).WriteTo(writer);
                        }

                        writer.WriteEndObject();
                    }

                    return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
                }

            default:
                return FlowValues.Null;
        }
    }

    private SourceText? ReadText(YamlNodeBase node, string where)
    {
        if (!Expect<YamlScalarNode>(node, where, "text", out var scalar))
        {
            return null;
        }

        return ToText(scalar);
    }

    private SourceText ToText(YamlScalarNode scalar)
    {
        var span = scalar.Span;
        var origin = scalar.Style switch
        {
            YamlScalarStyle.Literal or YamlScalarStyle.Folded => BlockOrigin(span),
            YamlScalarStyle.SingleQuoted or YamlScalarStyle.DoubleQuoted => new ContentOrigin(span.File, span.Line, span.Column + 1, IsBlock: false),
            _ => new ContentOrigin(span.File, span.Line, span.Column, IsBlock: false),
        };
        return new SourceText(scalar.Value, span, origin);
    }

    /// <summary>
    /// A block scalar's content starts on the line after its header (leading blank lines are part of the text),
    /// at the indentation of its first non-blank line.
    /// </summary>
    private ContentOrigin BlockOrigin(SourceSpan header)
    {
        for (var line = header.Line + 1; line <= _source.LineCount; line++)
        {
            var text = _source.Line(line);
            if (text.Trim().Length == 0)
            {
                continue;
            }

            var indent = text.Length - text.TrimStart(' ').Length;
            return new ContentOrigin(header.File, header.Line + 1, indent + 1, IsBlock: true);
        }

        return new ContentOrigin(header.File, header.Line + 1, 1, IsBlock: true);
    }

    private Located<string>? ReadName(YamlNodeBase? node, string where)
    {
        if (node is null || !Expect<YamlScalarNode>(node, where, "text", out var scalar))
        {
            return null;
        }

        return new Located<string>(scalar.Value, scalar.Span);
    }

    private Located<int>? ReadPositiveInt(YamlNodeBase node, string where)
    {
        if (!Expect<YamlScalarNode>(node, where, "a whole number of pixels", out var scalar))
        {
            return null;
        }

        if (!int.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            _diagnostics.Report(DiagnosticCodes.WrongShape, scalar.Span, where, "a whole number greater than 0");
            return null;
        }

        return new Located<int>(value, scalar.Span);
    }

    private Located<bool>? Reject(YamlNodeBase node, string where, string expected)
    {
        _diagnostics.Report(DiagnosticCodes.WrongShape, node.Span, where, expected);
        return null;
    }

    /// <summary>
    /// An optional section with something in it, of the expected shape (a wrong shape is reported). A section left
    /// empty (everything under it commented out) is an empty section, not an error.
    /// </summary>
    private bool TryReadSection<T>(YamlNodeBase? node, string where, string expected, out T section)
        where T : YamlNodeBase
    {
        if (node is null or YamlScalarNode { IsNull: true })
        {
            section = null!;
            return false;
        }

        return Expect(node, where, expected, out section);
    }

    private bool Expect<T>(YamlNodeBase node, string where, string expected, out T typed)
        where T : YamlNodeBase
    {
        if (node is T t)
        {
            typed = t;
            return true;
        }

        _diagnostics.Report(DiagnosticCodes.WrongShape, node.Span, where, expected);
        typed = null!;
        return false;
    }

    private void CheckKeys(YamlMappingNode map, string[] known, string where) => KnownKeys.Check(map, known, where, _diagnostics);
}
