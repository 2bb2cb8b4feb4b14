using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Model;
using KakaoFlow.Yaml;
using KakaoFlow.Resources;

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
                diagnostics.Report(DiagnosticCodes.MissingKey, SourceSpan.StartOf(source.File), MessageText.Format(Messages.Where_Scenario), "turns");
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
            diagnostics.Report(DiagnosticCodes.WrongShape, root.Span, MessageText.Format(Messages.Where_Scenario), MessageText.Format(Messages.Expect_ScenarioMapping));
            return null;
        }

        CheckKeys(map, TopKeys, MessageText.Format(Messages.Where_TheScenario), diagnostics);

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
                diagnostics.Report(DiagnosticCodes.WrongShape, varsNode.Span, "vars", MessageText.Format(Messages.Expect_ScenarioVars));
            }
        }

        var turns = ImmutableArray.CreateBuilder<ScenarioTurn>();
        switch (map["turns"])
        {
            case null:
                diagnostics.Report(DiagnosticCodes.MissingKey, map.Span, MessageText.Format(Messages.Where_Scenario), "turns");
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
                diagnostics.Report(DiagnosticCodes.WrongShape, other.Span, "turns", MessageText.Format(Messages.Expect_Turns));
                break;
        }

        if (channel == ScenarioChannel.Skill)
        {
            foreach (var photo in turns.OfType<UserPhotoTurn>())
            {
                diagnostics.Report(DiagnosticCodes.WrongShape, photo.Span, MessageText.Format(Messages.Where_SkillTurn), MessageText.Format(Messages.Expect_SkillTurn));
            }
        }

        var fallbackName = Path.GetFileNameWithoutExtension(file);
        return new Scenario(file, name?.Value is { Length: > 0 } n ? n : fallbackName, start, vars.ToImmutable(), turns.ToImmutable()) { Channel = channel };
    }

    private static ScenarioChannel ReadChannel(YamlNodeBase node, DiagnosticBag diagnostics)
    {
        switch (Text(node, "channel", diagnostics, ChannelValues())?.Value)
        {
            case "skill":
                return ScenarioChannel.Skill;
            case null or "auto-reply":
                return ScenarioChannel.AutoReply;
            default:
                diagnostics.Report(DiagnosticCodes.WrongShape, node.Span, "channel", ChannelValues());
                return ScenarioChannel.AutoReply;
        }
    }

    private static string ChannelValues() => MessageText.Format(Messages.Expect_Channel);

    private static ScenarioTurn? ReadTurn(YamlNodeBase node, int number, DiagnosticBag diagnostics)
    {
        var where = MessageText.Format(Messages.Where_Turn, number);
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
                return Text(value, Part(where, "user"), diagnostics, MessageText.Format(Messages.Expect_UserText)) is { } text
                    ? new UserTextTurn(text.Value, key.Span)
                    : null;
            case "wait":
                return ReadWait(key, value, where, diagnostics);
            case "photo":
                return ReadPhoto(key, value, where, diagnostics);
            case "as":
                return ReadSwitchUser(key, value, where, diagnostics);
            case "register_card":
                return Text(value, Part(where, "register_card"), diagnostics, MessageText.Format(Messages.Expect_Card)) is { } card
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
            YamlMappingNode { Entries.Count: 0 } empty => (MessageText.Format(Messages.Turn_NoKey), empty.Span),
            YamlMappingNode many => (MessageText.Format(Messages.Turn_Keys, many.Entries.Count, string.Join(", ", many.Entries.Select(e => e.Key.Value))), many.Entries[1].Key.Span),
            _ => (MessageText.Format(Messages.Turn_NoKey), node.Span),
        };
        var hint = node is YamlScalarNode { IsNull: false } scalar
            ? MessageText.Format(Messages.Hint_TurnUser, scalar.Value)
            : MessageText.Format(Messages.Hint_TurnEach);
        diagnostics.ReportWithHint(DiagnosticCodes.InvalidScenarioTurn, at, hint, count);
    }

    private static WaitTurn? ReadWait(YamlScalarNode key, YamlNodeBase value, string where, DiagnosticBag diagnostics)
    {
        if (Text(value, Part(where, "wait"), diagnostics, MessageText.Format(Messages.Expect_Wait)) is not { } written)
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
        if (Text(value, Part(where, "photo"), diagnostics, MessageText.Format(Messages.Expect_PhotoUrl)) is not { } url)
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
        if (Text(value, Part(where, "as"), diagnostics, MessageText.Format(Messages.Expect_UserName)) is not { } user)
        {
            return null;
        }

        if (user.Value.Trim().Length == 0)
        {
            diagnostics.Report(DiagnosticCodes.WrongShape, user.Span, Part(where, "as"), MessageText.Format(Messages.Expect_UserName));
            return null;
        }

        return new SwitchUserTurn(user.Value.Trim(), key.Span);
    }

    /// <summary>A scalar the owner wrote (YAML <c>yes</c>, <c>1.0</c>, <c>true</c> stay as written), or a KF005.</summary>
    private static Located<string>? Text(YamlNodeBase node, string where, DiagnosticBag diagnostics, string? expected = null)
    {
        if (node is YamlScalarNode { IsNull: false } scalar)
        {
            return new Located<string>(scalar.Value, scalar.Span);
        }

        diagnostics.Report(DiagnosticCodes.WrongShape, node.Span, where, expected ?? MessageText.Format(Messages.Expect_Text));
        return null;
    }

    private static string Part(string where, string key) => MessageText.Format(Messages.Where_Part, where, key);

    private static void CheckKeys(YamlMappingNode map, string[] known, string where, DiagnosticBag diagnostics) =>
        KnownKeys.Check(map, known, where, diagnostics);

    private static bool IsWebUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
