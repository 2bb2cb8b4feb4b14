using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KakaoFlow.Runtime;

namespace KakaoFlow.Hosting.ApiTest;

/// <summary>One check of the API TEST: what was checked, whether it passed, and why.</summary>
public sealed record ApiCheck(string Name, bool Passed, string Why);

/// <summary>
/// The platform's API TEST as checks over raw HTTP answers (status, content type, body bytes), against
/// the auto-reply API (docs/kakao-api.md) only: nothing here knows about KakaoFlow's own server, so <c>kakaoflow apitest</c> can judge
/// any server, and the host judges its own Home keyboard with the very same rules before a bot starts.
/// </summary>
public static partial class ApiChecks
{
    private static readonly string[] MessageParts = ["text", "photo", "message_button"];

    /// <summary>Checks a <c>GET /keyboard</c> answer; also returns the parsed keyboard's first button (null for a text keyboard).</summary>
    public static (IReadOnlyList<ApiCheck> Checks, string? FirstButton) Keyboard(int status, string? contentType, ReadOnlySpan<byte> body)
    {
        var checks = new List<ApiCheck>();
        string? first = null;
        Common("keyboard", status, contentType, checks);
        using var document = Parse("keyboard", body, checks);
        if (document is not null)
        {
            first = CheckKeyboard("keyboard", document.RootElement, checks);
        }

        return (checks, first);
    }

    /// <summary>Checks a <c>POST /message</c> answer: a message with one to three valid parts, and a valid keyboard if any.</summary>
    public static IReadOnlyList<ApiCheck> Message(int status, string? contentType, ReadOnlySpan<byte> body)
    {
        var checks = new List<ApiCheck>();
        Common("message", status, contentType, checks);
        using var document = Parse("message", body, checks);
        if (document is null)
        {
            return checks;
        }

        var root = document.RootElement;
        if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
        {
            checks.Add(new("message: has a message object", false, "the reply has no \"message\" object"));
            return checks;
        }

        var parts = MessageParts.Count(part => message.TryGetProperty(part, out _));
        checks.Add(new("message: has at least one part", parts > 0,
            parts > 0 ? $"{parts} of text, photo, message_button" : "a message needs text, photo or message_button"));
        if (message.TryGetProperty("text", out var text))
        {
            checks.Add(CheckText(text));
        }

        if (message.TryGetProperty("photo", out var photo))
        {
            checks.Add(CheckPhoto(photo));
        }

        if (message.TryGetProperty("message_button", out var button))
        {
            checks.Add(CheckMessageButton(button));
        }

        CheckReplyKeyboard(root, checks);
        return checks;
    }

    private static ApiCheck CheckText(JsonElement text)
    {
        const string Name = "message.text: a string of at most 1000 characters";
        if (text.ValueKind != JsonValueKind.String)
        {
            return new(Name, false, $"text is {text.ValueKind}, not a string");
        }

        var length = TextLength.Of(text.GetString()!);
        return new(Name, length <= TextLength.KakaoTextLimit, $"{length} characters");
    }

    private static ApiCheck CheckPhoto(JsonElement photo)
    {
        var problems = new List<string>();
        if (photo.ValueKind != JsonValueKind.Object)
        {
            problems.Add("photo is not an object");
        }
        else
        {
            if (!IsNonEmptyString(photo, "url"))
            {
                problems.Add("url must be a non-empty string");
            }

            foreach (var size in new[] { "width", "height" })
            {
                if (!photo.TryGetProperty(size, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var pixels) || pixels <= 0)
                {
                    problems.Add($"{size} must be a positive integer");
                }
            }
        }

        return new("message.photo: url, width and height", problems.Count == 0, problems.Count == 0 ? "all three present" : string.Join("; ", problems));
    }

    private static ApiCheck CheckMessageButton(JsonElement button)
    {
        var ok = button.ValueKind == JsonValueKind.Object && IsNonEmptyString(button, "label") && IsNonEmptyString(button, "url");
        return new("message.message_button: label and url", ok, ok ? "both present" : "label and url must both be non-empty strings");
    }

    private static void CheckReplyKeyboard(JsonElement reply, List<ApiCheck> checks)
    {
        if (reply.TryGetProperty("keyboard", out var keyboard))
        {
            CheckKeyboard("reply keyboard", keyboard, checks);
        }
        else
        {
            checks.Add(new("reply keyboard: absent or valid", true, "absent (the client shows a text keyboard)"));
        }
    }

    private static void Common(string what, int status, string? contentType, List<ApiCheck> checks)
    {
        checks.Add(new($"{what}: status 200", status == 200, $"status {status}"));
        var json = MediaTypeHeaderValue.TryParse(contentType, out var media)
            && string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)
            && (media.CharSet is null || string.Equals(media.CharSet.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase));
        checks.Add(new($"{what}: JSON content type", json, contentType is null ? "no Content-Type" : $"Content-Type: {contentType}"));
    }

    private static JsonDocument? Parse(string what, ReadOnlySpan<byte> body, List<ApiCheck> checks)
    {
        try
        {
            var document = JsonDocument.Parse(body.ToArray());
            var ok = document.RootElement.ValueKind == JsonValueKind.Object;
            checks.Add(new($"{what}: body is a JSON object", ok, ok ? "parsed" : $"body is a JSON {document.RootElement.ValueKind}"));
            if (ok)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException e)
        {
            var start = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 60)]);
            checks.Add(new($"{what}: body is a JSON object", false, $"not JSON ({e.Message}); body starts '{start}'"));
            return null;
        }
    }

    private static string? CheckKeyboard(string what, JsonElement keyboard, List<ApiCheck> checks)
    {
        if (keyboard.ValueKind != JsonValueKind.Object)
        {
            checks.Add(new($"{what}: type is buttons or text", false, $"the keyboard is a JSON {keyboard.ValueKind}, not an object"));
            return null;
        }

        var type = keyboard.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var typeOk = type is "buttons" or "text";
        checks.Add(new($"{what}: type is buttons or text", typeOk, type is null ? "no string \"type\"" : $"type \"{type}\""));
        if (type != "buttons")
        {
            return null;
        }

        if (!keyboard.TryGetProperty("buttons", out var buttons) || buttons.ValueKind != JsonValueKind.Array)
        {
            checks.Add(new($"{what}: buttons are non-empty strings", false, "a buttons keyboard needs a \"buttons\" array"));
            return null;
        }

        var labels = buttons.EnumerateArray().ToList();
        var bad = labels.Count(label => label.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(label.GetString()));
        var ok = labels.Count > 0 && bad == 0;
        checks.Add(new($"{what}: buttons are non-empty strings", ok,
            labels.Count == 0 ? "the buttons array is empty" : bad > 0 ? $"{bad} of {labels.Count} buttons are not non-empty strings" : $"{labels.Count} buttons"));
        return ok ? labels[0].GetString() : null;
    }

    private static bool IsNonEmptyString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString());
}
