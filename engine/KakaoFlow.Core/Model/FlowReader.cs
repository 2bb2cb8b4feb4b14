using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Runtime;
using KakaoFlow.Yaml;
using KakaoFlow.Resources;

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
    private readonly ImmutableArray<string>.Builder _leftOut = ImmutableArray.CreateBuilder<string>();

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
                diagnostics.Report(DiagnosticCodes.MissingKey, SourceSpan.StartOf(source.File), Text.Of(Messages.Where_FlowFile), "home");
            }

            return null;
        }

        return new FlowReader(source, diagnostics).ReadDocument(root);
    }

    private FlowDocument? ReadDocument(YamlNodeBase root)
    {
        if (!Expect<YamlMappingNode>(root, Text.Of(Messages.Where_FlowFile), Text.Of(Messages.Expect_FlowMapping), out var map))
        {
            return null;
        }

        CheckKeys(map, TopKeys, Text.Of(Messages.Where_Flow));
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
            scripts,
            _leftOut.ToImmutable());
    }

    private Located<string>? ReadMonitorPhone(YamlNodeBase? node)
    {
        if (node is null || !Expect<YamlMappingNode>(node, "monitor", Text.Of(Messages.Expect_MonitorMapping), out var monitor))
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
        _ => Reject(node, "privacy_consent", Text.Of(Messages.Expect_TrueOrFalse)),
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
            if (ReadShownText(value, "messages." + key.Value) is { } text)
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
        if (!TryReadSection<YamlMappingNode>(node, section, Text.Of(Messages.Expect_Mapping), out var map))
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
            _diagnostics.Report(DiagnosticCodes.MissingKey, map.Span, Text.Of(Messages.Where_AFlow), "home");
            return null;
        }

        return ReadButtons(home, "home");
    }

    private ImmutableArray<NamedStep> ReadSteps(YamlNodeBase? node)
    {
        if (!TryReadSection<YamlMappingNode>(node, "steps", Text.Of(Messages.Expect_StepsMapping), out var map))
        {
            return [];
        }

        var steps = ImmutableArray.CreateBuilder<NamedStep>();
        foreach (var (key, value) in map.Entries)
        {
            if (ReadStep(value, Text.Of(Messages.Where_Step, key.Value)) is { } step)
            {
                steps.Add(new NamedStep(new(key.Value, key.Span), step));
            }
        }

        return steps.ToImmutable();
    }

    private ImmutableArray<Located<string>> ReadScripts(YamlNodeBase? node)
    {
        if (!TryReadSection<YamlSequenceNode>(node, "scripts", Text.Of(Messages.Expect_ScriptList), out var list))
        {
            return [];
        }

        var scripts = ImmutableArray.CreateBuilder<Located<string>>();
        foreach (var item in list.Items)
        {
            if (ReadName(item, Text.Of(Messages.Where_ScriptFileName)) is { } file)
            {
                scripts.Add(file);
            }
        }

        return scripts.ToImmutable();
    }

    private ButtonList? ReadButtons(YamlNodeBase node, string where)
    {
        if (!Expect<YamlSequenceNode>(node, where, Text.Of(Messages.Expect_ButtonList), out var list))
        {
            return null;
        }

        var buttons = ImmutableArray.CreateBuilder<ButtonNode>();
        foreach (var item in list.Items)
        {
            if (item is not YamlMappingNode { Entries.Count: 1 } entry)
            {
                ReportNotAButton(item);
                LeaveOut(item);
                continue;
            }

            var (label, value) = entry.Entries[0];
            if (string.IsNullOrWhiteSpace(label.Value))
            {
                _diagnostics.Report(DiagnosticCodes.EmptyLabel, label.Span);
                LeaveOut(value);
                continue;
            }

            var labelText = new Located<string>(label.Value, label.Span);
            switch (value)
            {
                case YamlScalarNode scalar when !scalar.IsNull:
                    buttons.Add(new ButtonNode(labelText, LeafStep(scalar), IsLeaf: true));
                    break;
                case YamlMappingNode:
                    if (ReadStep(value, Text.Of(Messages.Where_Button, label.Value)) is { } step)
                    {
                        buttons.Add(new ButtonNode(labelText, step, IsLeaf: false));
                    }

                    break;
                default:
                    _diagnostics.ReportWithHint(DiagnosticCodes.WrongShape, value.Span, Text.Of(Messages.Hint_ButtonValue), Text.Of(Messages.Where_Button, label.Value), Text.Of(Messages.Expect_ReplyOrStep));
                    LeaveOut(value);
                    break;
            }
        }

        return new ButtonList(list.Span, buttons.ToImmutable(), list.Items.Count);
    }

    private StepNode? ReadStep(YamlNodeBase node, string where)
    {
        if (node is YamlScalarNode scalar && !scalar.IsNull)
        {
            return LeafStep(scalar);
        }

        if (!Expect<YamlMappingNode>(node, where, Text.Of(Messages.Expect_Step), out var map))
        {
            return null;
        }

        // 'next' beside a readable 'input' is a misplaced key, reported as such by StepEnding rather than as unknown.
        var written = map["input"] is { } inputNode ? ReadInput(inputNode, where) : null;
        CheckKeys(map, written is null ? StepKeys : [.. StepKeys, "next"], where);
        var (input, target) = StepEnding.Check(map, written, map["goto"] is { } gotoNode ? ReadName(gotoNode, Part(where, "goto")) : null, _diagnostics);
        return new StepNode(
            map.Span,
            map["say"] is { } say ? ReadShownText(say, Part(where, "say")) : null,
            map["photo"] is { } photo ? ReadPhoto(photo, where) : null,
            map["link"] is { } link ? ReadLink(link, where) : null,
            map["set"] is { } set ? ReadSet(set, where) : [],
            map["js"] is { } js ? ReadText(js, Part(where, "js")) : null,
            target,
            map["buttons"] is { } buttons ? ReadButtons(buttons, Part(where, "buttons")) : null,
            input);
    }

    /// <summary>A step written as plain text only says it; <c>say:오늘의 메뉴</c> lacks a space and is reported.</summary>
    private StepNode LeafStep(YamlScalarNode scalar)
    {
        if (YamlMistakes.MissingSpace(scalar, StepKeys.Contains) is { } joined)
        {
            _diagnostics.Add(joined);
        }

        return StepNode.Leaf(ShownText(scalar));
    }

    /// <summary>
    /// A list item that is not one <c>label: reply</c> pair: <c>- 안녕:반가워요</c> lacks a space after the colon, and
    /// a label whose step keys are not indented under it has them beside it instead.
    /// </summary>
    private void ReportNotAButton(YamlNodeBase item)
    {
        if (item is YamlScalarNode scalar && YamlMistakes.MissingSpace(scalar, _ => true) is { } joined)
        {
            _diagnostics.Add(joined);
        }
        else if (item is YamlMappingNode { Entries: [{ Value: YamlScalarNode { IsNull: true } }, var (second, _), ..] } beside)
        {
            var label = beside.Entries[0].Key.Value;
            _diagnostics.ReportWithHint(DiagnosticCodes.WrongShape, second.Span, Text.Of(Messages.Hint_IndentUnder, second.Value, label), Text.Of(Messages.Where_AButton), Text.Of(Messages.Expect_ButtonPair));
        }
        else
        {
            _diagnostics.ReportWithHint(DiagnosticCodes.WrongShape, item.Span, Text.Of(Messages.Hint_ButtonPair), Text.Of(Messages.Where_AButton), Text.Of(Messages.Expect_ButtonPair));
        }
    }

    private PhotoNode? ReadPhoto(YamlNodeBase node, string where)
    {
        if (!Expect<YamlMappingNode>(node, Part(where, "photo"), Text.Of(Messages.Expect_PhotoMapping), out var map))
        {
            return null;
        }

        CheckKeys(map, PhotoKeys, "photo");
        return new PhotoNode(
            map.Span,
            map["url"] is { } url ? ReadText(url, Part("photo", "url")) : null,
            map["width"] is { } width ? ReadPositiveInt(width, Part("photo", "width")) : null,
            map["height"] is { } height ? ReadPositiveInt(height, Part("photo", "height")) : null);
    }

    private LinkNode? ReadLink(YamlNodeBase node, string where)
    {
        if (!Expect<YamlMappingNode>(node, Part(where, "link"), Text.Of(Messages.Expect_LinkMapping), out var map))
        {
            return null;
        }

        CheckKeys(map, LinkKeys, "link");
        return new LinkNode(
            map.Span,
            map["label"] is { } label ? ReadShownText(label, Part("link", "label")) : null,
            map["url"] is { } url ? ReadText(url, Part("link", "url")) : null);
    }

    private ImmutableArray<SetNode> ReadSet(YamlNodeBase node, string where)
    {
        if (!Expect<YamlMappingNode>(node, Part(where, "set"), Text.Of(Messages.Expect_SetMapping), out var map))
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
        if (!Expect<YamlMappingNode>(node, Part(where, "input"), Text.Of(Messages.Expect_InputMapping), out var map))
        {
            return null;
        }

        CheckKeys(map, InputKeys, "input");
        return new InputNode(
            map.Span,
            map["save"] is { } save ? ReadName(save, Part("input", "save")) : null,
            map["type"] is { } type ? ReadName(type, Part("input", "type")) : null,
            map["check"] is { } check ? ReadText(check, Part("input", "check")) : null,
            map["retry"] is { } retry ? ReadShownText(retry, Part("input", "retry")) : null,
            map["next"] is { } next ? ReadName(next, Part("input", "next")) : null);
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
        if (!Expect<YamlScalarNode>(node, where, Text.Of(Messages.Expect_Text), out var scalar))
        {
            return null;
        }

        return ToText(scalar);
    }

    /// <summary>A text users see: warned about when a <c>#</c> note after it cuts what the owner meant to say.</summary>
    private SourceText? ReadShownText(YamlNodeBase node, string where) =>
        node is YamlScalarNode scalar ? ShownText(scalar) : ReadText(node, where);

    private SourceText ShownText(YamlScalarNode scalar)
    {
        if (_source.NoteAfter(scalar) is { } note)
        {
            _diagnostics.ReportWithHint(
                DiagnosticCodes.TextCutByComment,
                note.Span,
                Text.Of(Messages.Hint_NoteInText, note.Note),
                scalar.Value);
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
        if (node is null || !Expect<YamlScalarNode>(node, where, Text.Of(Messages.Expect_Text), out var scalar))
        {
            return null;
        }

        return new Located<string>(scalar.Value, scalar.Span);
    }

    private Located<int>? ReadPositiveInt(YamlNodeBase node, string where)
    {
        if (!Expect<YamlScalarNode>(node, where, Text.Of(Messages.Expect_Pixels), out var scalar))
        {
            return null;
        }

        if (!int.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            _diagnostics.Report(DiagnosticCodes.WrongShape, scalar.Span, where, Text.Of(Messages.Expect_Positive));
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

    /// <summary>A key of a place, as messages name it: <c>step 'size' buttons</c> (<c>단계 'size'의 buttons</c>).</summary>
    private static string Part(string where, string key) => Text.Of(Messages.Where_Part, where, key);

    private bool Expect<T>(YamlNodeBase node, string where, string expected, out T typed)
        where T : YamlNodeBase
    {
        if (node is T t)
        {
            typed = t;
            return true;
        }

        _diagnostics.Report(DiagnosticCodes.WrongShape, node.Span, where, expected);
        LeaveOut(node);
        typed = null!;
        return false;
    }

    private void CheckKeys(YamlMappingNode map, string[] known, string where)
    {
        KnownKeys.Check(map, known, where, _diagnostics);
        foreach (var (key, value) in map.Entries)
        {
            if (!known.Contains(key.Value))
            {
                LeaveOut(value);
            }
        }
    }

    /// <summary>Keeps the texts of a part an error made the reader skip (see <see cref="FlowDocument.LeftOut"/>).</summary>
    private void LeaveOut(YamlNodeBase node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                _leftOut.Add(scalar.Value);
                break;
            case YamlSequenceNode list:
                list.Items.ToList().ForEach(LeaveOut);
                break;
            case YamlMappingNode map:
                foreach (var (key, value) in map.Entries)
                {
                    _leftOut.Add(key.Value);
                    LeaveOut(value);
                }

                break;
        }
    }
}
