using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Model;
using KakaoFlow.Yaml;

namespace KakaoFlow.Scenarios;

/// <summary>
/// Reads a scenario file with the same YAML loader as flows, so every mistake is a located diagnostic
/// in the <c>check</c> format. Checks the form only; <see cref="ScenarioRunner.Check"/> checks it against a flow.
/// </summary>
public static class ScenarioReader
{
    internal static readonly string[] TopKeys = ["name", "start", "channel", "vars", "turns"];
    internal static readonly string[] TurnKeys = ["user", "wait", "photo", "as", "register_card"];

    /// <summary>The scenario, or null when it has an error (every problem is in <paramref name="diagnostics"/>).</summary>
    public static Scenario? Read(YamlSourceText source, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var errorsBefore = diagnostics.Items.Count(d => d.IsError);
        var root = YamlDocumentLoader.Load(source, diagnostics);
        if (root is null)
        {
            if (!diagnostics.HasErrors)
            {
                diagnostics.Report(DiagnosticCodes.MissingKey, SourceSpan.StartOf(source.File), "a scenario", "turns");
            }

            return null;
        }

        var scenario = ReadScenario(source.File, root, diagnostics);
        return diagnostics.Items.Count(d => d.IsError) > errorsBefore ? null : scenario;
    }

    private static Scenario? ReadScenario(string file, YamlNodeBase root, DiagnosticBag diagnostics)
    {
        if (root is not YamlMappingNode map)
        {
            diagnostics.Report(DiagnosticCodes.WrongShape, root.Span, "a scenario", "a mapping with 'turns' (and optionally name, start, vars)");
            return null;
        }

        CheckKeys(map, TopKeys, "the scenario", diagnostics);

        var name = map["name"] is { } nameNode ? Text(nameNode, "name", diagnostics) : null;
        var start = map["start"] is { } startNode ? Text(startNode, "start", diagnostics) : null;
        var channel = map["channel"] is { } channelNode ? ReadChannel(channelNode, diagnostics) : ScenarioChannel.AutoReply;

        var vars = ImmutableArray.CreateBuilder<KeyValuePair<string, JsonElement>>();
        if (map["vars"] is { } varsNode)
        {
            if (varsNode is YamlMappingNode varsMap)
            {
                foreach (var (key, value) in varsMap.Entries)
                {
                    vars.Add(new(key.Value, FlowReader.ToValue(value)));
                }
            }
            else if (varsNode is not YamlScalarNode { IsNull: true })
            {
                diagnostics.Report(DiagnosticCodes.WrongShape, varsNode.Span, "vars", "a mapping of variable names to values, like { item: 불고기 피자 }");
            }
        }

        var turns = ImmutableArray.CreateBuilder<ScenarioTurn>();
        switch (map["turns"])
        {
            case null:
                diagnostics.Report(DiagnosticCodes.MissingKey, map.Span, "a scenario", "turns");
                break;
            case YamlSequenceNode { Items.Count: > 0 } list:
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (ReadTurn(list.Items[i], i + 1, diagnostics) is { } turn)
                    {
                        turns.Add(turn);
                    }
                }

                break;
            case var other:
                diagnostics.Report(DiagnosticCodes.WrongShape, other.Span, "turns", "a list of at least one turn, like '- user: 메뉴 보기'");
                break;
        }

        if (channel == ScenarioChannel.Skill)
        {
            foreach (var photo in turns.OfType<UserPhotoTurn>())
            {
                diagnostics.Report(DiagnosticCodes.WrongShape, photo.Span, "a turn on channel: skill", "'user:' (an Open Builder skill receives only text)");
            }
        }

        var fallbackName = Path.GetFileNameWithoutExtension(file);
        return new Scenario(file, name?.Value is { Length: > 0 } n ? n : fallbackName, start, vars.ToImmutable(), turns.ToImmutable()) { Channel = channel };
    }

    private static ScenarioChannel ReadChannel(YamlNodeBase node, DiagnosticBag diagnostics)
    {
        switch (Text(node, "channel", diagnostics, ChannelValues)?.Value)
        {
            case "skill":
                return ScenarioChannel.Skill;
            case null or "auto-reply":
                return ScenarioChannel.AutoReply;
            default:
                diagnostics.Report(DiagnosticCodes.WrongShape, node.Span, "channel", ChannelValues);
                return ScenarioChannel.AutoReply;
        }
    }

    private const string ChannelValues = "auto-reply (the default) or skill";

    private static ScenarioTurn? ReadTurn(YamlNodeBase node, int number, DiagnosticBag diagnostics)
    {
        var where = "turn " + number.ToString(CultureInfo.InvariantCulture);
        if (node is not YamlMappingNode { Entries.Count: 1 } map)
        {
            ReportNotOneKey(node, diagnostics);
            return null;
        }

        var (key, given) = map.Entries[0];

        // 'user:' with nothing after it: point at the key, where the owner will look.
        var value = given is YamlScalarNode { IsNull: true } ? new YamlScalarNode(key.Span, "", YamlScalarStyle.Plain) : given;
        switch (key.Value)
        {
            case "user":
                return Text(value, where + " user", diagnostics, "the text the user sends (a button label or typed text)") is { } text
                    ? new UserTextTurn(text.Value, key.Span)
                    : null;
            case "wait":
                return ReadWait(key, value, where, diagnostics);
            case "photo":
                return ReadPhoto(key, value, where, diagnostics);
            case "as":
                return ReadSwitchUser(key, value, where, diagnostics);
            case "register_card":
                return Text(value, where + " register_card", diagnostics, "a test card number, like 4242 4242 4242 4242") is { } card
                    ? new RegisterCardTurn(card.Value, key.Span)
                    : null;
            default:
                KnownKeys.ReportUnknown(key, TurnKeys, where, diagnostics);
                return null;
        }
    }

    /// <summary>A turn is one key: none, or several (often two turns written as one list item), is a KF040.</summary>
    private static void ReportNotOneKey(YamlNodeBase node, DiagnosticBag diagnostics)
    {
        var (count, at) = node switch
        {
            YamlMappingNode { Entries.Count: 0 } empty => ("no key", empty.Span),
            YamlMappingNode many => ($"{many.Entries.Count} keys ({string.Join(", ", many.Entries.Select(e => e.Key.Value))})", many.Entries[1].Key.Span),
            _ => ("no key", node.Span),
        };
        var hint = node is YamlScalarNode { IsNull: false } scalar
            ? $"write '- user: {scalar.Value}'"
            : "write each turn as its own list item: '- user: …', '- wait: 11m', '- photo: https://…' or '- as: other-user'";
        diagnostics.ReportWithHint(DiagnosticCodes.InvalidScenarioTurn, at, hint, count);
    }

    private static WaitTurn? ReadWait(YamlScalarNode key, YamlNodeBase value, string where, DiagnosticBag diagnostics)
    {
        if (Text(value, where + " wait", diagnostics, "a duration like 11m") is not { } written)
        {
            return null;
        }

        if (!Durations.TryParse(written.Value, out var duration))
        {
            diagnostics.Report(DiagnosticCodes.InvalidDuration, written.Span, written.Value);
            return null;
        }

        return new WaitTurn(duration, written.Value.Trim(), key.Span);
    }

    private static UserPhotoTurn? ReadPhoto(YamlScalarNode key, YamlNodeBase value, string where, DiagnosticBag diagnostics)
    {
        if (Text(value, where + " photo", diagnostics, "the photo's https:// URL") is not { } url)
        {
            return null;
        }

        if (!IsWebUrl(url.Value))
        {
            diagnostics.Report(DiagnosticCodes.InvalidUrl, url.Span, url.Value);
            return null;
        }

        return new UserPhotoTurn(url.Value, key.Span);
    }

    private static SwitchUserTurn? ReadSwitchUser(YamlScalarNode key, YamlNodeBase value, string where, DiagnosticBag diagnostics)
    {
        if (Text(value, where + " as", diagnostics, "a user name, like second-user") is not { } user)
        {
            return null;
        }

        if (user.Value.Trim().Length == 0)
        {
            diagnostics.Report(DiagnosticCodes.WrongShape, user.Span, where + " as", "a user name, like second-user");
            return null;
        }

        return new SwitchUserTurn(user.Value.Trim(), key.Span);
    }

    /// <summary>A scalar the owner wrote (YAML <c>yes</c>, <c>1.0</c>, <c>true</c> stay as written), or a KF005.</summary>
    private static Located<string>? Text(YamlNodeBase node, string where, DiagnosticBag diagnostics, string expected = "text")
    {
        if (node is YamlScalarNode { IsNull: false } scalar)
        {
            return new Located<string>(scalar.Value, scalar.Span);
        }

        diagnostics.Report(DiagnosticCodes.WrongShape, node.Span, where, expected);
        return null;
    }

    private static void CheckKeys(YamlMappingNode map, string[] known, string where, DiagnosticBag diagnostics) =>
        KnownKeys.Check(map, known, where, diagnostics);

    private static bool IsWebUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
