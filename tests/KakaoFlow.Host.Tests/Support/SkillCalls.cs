using System.Text.Json;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>SkillPayloads as Open Builder sends them (the sample of docs/skill-api.md) and calls of <c>POST /{bot}/skill</c>.</summary>
internal static class SkillCalls
{
    /// <summary>The sample SkillPayload of docs/skill-api.md with this user and utterance.</summary>
    public static string Payload(string userId, string utterance) => $$"""
        {
          "intent": { "id": "b2f1…", "name": "폴백 블록" },
          "userRequest": {
            "timezone": "Asia/Seoul",
            "params": { "ignoreMe": "true" },
            "block": { "id": "b2f1…", "name": "폴백 블록" },
            "utterance": {{Json.Quote(utterance)}},
            "lang": "ko",
            "user": {
              "id": {{Json.Quote(userId)}},
              "type": "botUserKey",
              "properties": { "botUserKey": {{Json.Quote(userId)}}, "plusfriendUserKey": "Ab3dE_fG", "isFriend": true }
            },
            "callbackUrl": "https://bot-api.kakao.com/callback/…"
          },
          "bot": { "id": "64a0…", "name": "피자나라" },
          "action": { "id": "64a1…", "name": "kakaoflow", "params": {}, "detailParams": {}, "clientExtra": {} },
          "contexts": []
        }
        """;

    /// <summary>The session key of a skill user, as the host stores it.</summary>
    public static string KeyOf(string userId) => Hosting.Skill.SkillRequests.KeyOf(userId);

    public static Task<HttpResponseMessage> SendSkillAsync(this TestHost host, string botId, string userId, string utterance) =>
        host.PostJsonAsync($"/{botId}/skill", Payload(userId, utterance));

    /// <summary>The answer's body, after checking it is a 200 with JSON.</summary>
    public static async Task<string> SkillTextAsync(this TestHost host, string botId, string userId, string utterance)
    {
        using var response = await host.SendSkillAsync(botId, userId, utterance);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return body;
    }

    /// <summary>The answer as a parsed SkillResponse.</summary>
    public static async Task<SkillAnswer> SkillAsync(this TestHost host, string botId, string userId, string utterance) =>
        SkillAnswer.Parse(await host.SkillTextAsync(botId, userId, utterance));
}

/// <summary>What a SkillResponse shows: each output's kind and main text, and the quick replies (label, messageText).</summary>
internal sealed record SkillAnswer(IReadOnlyList<(string Kind, string Text)> Outputs, IReadOnlyList<(string Label, string MessageText)> QuickReplies)
{
    public string Texts => string.Join("\n", Outputs.Select(output => output.Text));

    public IReadOnlyList<string> Labels => [.. QuickReplies.Select(reply => reply.Label)];

    public static SkillAnswer Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal("2.0", root.GetProperty("version").GetString());
        var template = root.GetProperty("template");
        var outputs = template.GetProperty("outputs").EnumerateArray().Select(output =>
        {
            var component = output.EnumerateObject().Single();
            var text = component.Name switch
            {
                "simpleText" => component.Value.GetProperty("text").GetString()!,
                "textCard" => component.Value.GetProperty("description").GetString()!,
                "simpleImage" => component.Value.GetProperty("imageUrl").GetString()!,
                _ => throw new InvalidOperationException("unexpected output " + component.Name),
            };
            return (component.Name, text);
        }).ToList();
        Assert.InRange(outputs.Count, 1, 3);
        var quickReplies = template.TryGetProperty("quickReplies", out var replies)
            ? replies.EnumerateArray().Select(reply =>
            {
                Assert.Equal("message", reply.GetProperty("action").GetString());
                return (reply.GetProperty("label").GetString()!, reply.GetProperty("messageText").GetString()!);
            }).ToList()
            : [];
        Assert.InRange(quickReplies.Count, 0, 10);
        return new SkillAnswer(outputs, quickReplies);
    }
}
