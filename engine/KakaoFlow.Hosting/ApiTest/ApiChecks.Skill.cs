using System.Text.Json;
using KakaoFlow.Runtime;
using KakaoFlow.Skill;

namespace KakaoFlow.Hosting.ApiTest;

/// <summary>The same checks for an Open Builder skill: a <c>POST /skill</c> answer judged against docs/skill-api.md.</summary>
public static partial class ApiChecks
{
    private static readonly string[] OtherComponents = ["basicCard", "commerceCard", "listCard", "itemCard", "carousel"];

    /// <summary>
    /// Checks a SkillResponse: version 2.0, 1 to 3 valid outputs, at most 10 valid quick replies, every limit kept.
    /// Also returns the first quick reply's <c>messageText</c> (null when there is none).
    /// </summary>
    public static (IReadOnlyList<ApiCheck> Checks, string? FirstQuickReply) Skill(int status, string? contentType, ReadOnlySpan<byte> body)
    {
        var checks = new List<ApiCheck>();
        Common("skill", status, contentType, checks);
        using var document = Parse("skill", body, checks);
        if (document is null)
        {
            return (checks, null);
        }

        var root = document.RootElement;
        var version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        checks.Add(new("skill: version is 2.0", version == "2.0", version is null ? "no string \"version\"" : $"version \"{version}\""));
        if (!root.TryGetProperty("template", out var template) || template.ValueKind != JsonValueKind.Object)
        {
            checks.Add(new("skill: has a template object", false, "the answer has no \"template\" object"));
            return (checks, null);
        }

        CheckOutputs(template, checks);
        return (checks, CheckQuickReplies(template, checks));
    }

    private static void CheckOutputs(JsonElement template, List<ApiCheck> checks)
    {
        var outputs = template.TryGetProperty("outputs", out var o) && o.ValueKind == JsonValueKind.Array ? o.EnumerateArray().ToList() : null;
        var count = outputs?.Count ?? 0;
        checks.Add(new($"skill: 1 to {SkillLimits.MaxOutputs} outputs", count is >= 1 and <= SkillLimits.MaxOutputs,
            outputs is null ? "no \"outputs\" array" : $"{count} output{(count == 1 ? "" : "s")}"));
        for (var i = 0; i < count; i++)
        {
            var name = $"skill: outputs[{i}]";
            var output = outputs![i];
            if (output.ValueKind != JsonValueKind.Object || output.EnumerateObject().Count() != 1)
            {
                checks.Add(new(name, false, "an output is an object with one component"));
                continue;
            }

            var component = output.EnumerateObject().Single();
            var problems = component.Name switch
            {
                "simpleText" => TextProblems(component.Value, "text", SkillLimits.MaxText),
                "simpleImage" => ImageProblems(component.Value),
                "textCard" => CardProblems(component.Value),
                _ when OtherComponents.Contains(component.Name) => [],
                _ => [$"\"{component.Name}\" is not a skill component"],
            };
            var what = OtherComponents.Contains(component.Name) ? "present (its fields are not checked here)" : "valid";
            checks.Add(new($"{name} {component.Name}", problems.Count == 0, problems.Count == 0 ? what : string.Join("; ", problems)));
        }
    }

    private static List<string> TextProblems(JsonElement component, string field, int limit)
    {
        if (component.ValueKind != JsonValueKind.Object || !component.TryGetProperty(field, out var text) || text.ValueKind != JsonValueKind.String)
        {
            return [$"{field} must be a string"];
        }

        var length = TextLength.Of(text.GetString()!);
        return length >= 1 && length <= limit ? [] : [$"{field} is {length} characters (1 to {limit})"];
    }

    private static List<string> ImageProblems(JsonElement image)
    {
        var problems = new List<string>();
        if (image.ValueKind != JsonValueKind.Object
            || !image.TryGetProperty("imageUrl", out var url) || url.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problems.Add("imageUrl must be an absolute http(s) URL");
        }

        if (image.ValueKind != JsonValueKind.Object || !IsNonEmptyString(image, "altText"))
        {
            problems.Add("altText must be a non-empty string");
        }

        return problems;
    }

    private static List<string> CardProblems(JsonElement card)
    {
        if (card.ValueKind != JsonValueKind.Object)
        {
            return ["textCard must be an object"];
        }

        var problems = card.TryGetProperty("description", out _) ? TextProblems(card, "description", SkillLimits.MaxDescription) : [];
        if (!card.TryGetProperty("description", out _) && !IsNonEmptyString(card, "title"))
        {
            problems.Add("a textCard needs a title or a description");
        }

        if (card.TryGetProperty("buttons", out var buttons))
        {
            var list = buttons.ValueKind == JsonValueKind.Array ? buttons.EnumerateArray().ToList() : [];
            if (buttons.ValueKind != JsonValueKind.Array || list.Count > SkillLimits.MaxCardButtons)
            {
                problems.Add($"buttons must be an array of at most {SkillLimits.MaxCardButtons}");
            }

            problems.AddRange(list.Where(button => !IsLabelled(button) || !IsNonEmptyString(button, "action"))
                .Select(_ => $"a button needs an action and a label of 1 to {SkillLimits.MaxLabel} characters"));
        }

        return problems;
    }

    private static string? CheckQuickReplies(JsonElement template, List<ApiCheck> checks)
    {
        const string name = "skill: quickReplies";
        if (!template.TryGetProperty("quickReplies", out var replies))
        {
            checks.Add(new(name, true, "absent (the user types)"));
            return null;
        }

        var list = replies.ValueKind == JsonValueKind.Array ? replies.EnumerateArray().ToList() : null;
        if (list is null || list.Count > SkillLimits.MaxQuickReplies)
        {
            checks.Add(new(name, false, list is null ? "quickReplies is not an array" : $"{list.Count} quick replies (at most {SkillLimits.MaxQuickReplies})"));
            return null;
        }

        var bad = list.Count(reply => !IsLabelled(reply)
            || !(reply.TryGetProperty("action", out var action) && action.ValueKind == JsonValueKind.String)
            || (action.GetString() == "message" && !IsNonEmptyString(reply, "messageText")));
        checks.Add(new(name, bad == 0, bad == 0
            ? $"{list.Count} quick replies, labels of at most {SkillLimits.MaxLabel} characters"
            : $"{bad} of {list.Count} quick replies lack an action, a label of 1 to {SkillLimits.MaxLabel} characters or a messageText"));
        return bad == 0 && list.Count > 0 && list[0].TryGetProperty("messageText", out var first) ? first.GetString() : null;
    }

    private static bool IsLabelled(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && IsNonEmptyString(element, "label")
        && TextLength.Of(element.GetProperty("label").GetString()!) <= SkillLimits.MaxLabel;
}
