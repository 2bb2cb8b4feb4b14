using System.Text.Json;

namespace KakaoFlow.Hosting.Skill;

/// <summary>A valid SkillPayload: the Open Builder user's id and what they said or pressed.</summary>
internal readonly record struct SkillRequest(string UserId, string Utterance);

/// <summary>
/// Reading a SkillPayload (docs/skill-api.md): only <c>userRequest.user.id</c> and <c>userRequest.utterance</c> are
/// used and checked; every other field may be missing, <c>null</c> or anything else. The body itself is read and
/// bounded by <see cref="KakaoRequests.ReadJsonAsync"/>, exactly as for <c>/message</c>.
/// </summary>
internal static class SkillRequests
{
    /// <summary>
    /// Put before a skill user's id to make their session key. Auto-reply user_keys have no control characters,
    /// so no user_key can start with it: the same id on both channels is two users.
    /// </summary>
    public const string KeyPrefix = "\u001Fskill\u001F";

    /// <summary>The session (and lock, and log tag) key of the Open Builder user <paramref name="userId"/>.</summary>
    public static string KeyOf(string userId) => KeyPrefix + userId;

    /// <summary>The user's id and what they said or pressed, or null with the refusal.</summary>
    public static SkillRequest? Parse(JsonElement body, out RequestError? error)
    {
        if (!KakaoRequests.TryGetFields(body, out var fields, out error)
            || !TryGetObject(fields, "userRequest", "userRequest", out var userRequest, out error)
            || !TryGetObject(userRequest, "user", "userRequest.user", out var user, out error)
            || !KakaoRequests.TryGetString(user, "id", out var userId, out error, "userRequest.user.id")
            || !KakaoRequests.TryGetString(userRequest, "utterance", out var utterance, out error, "userRequest.utterance"))
        {
            return null;
        }

        if (!KakaoRequests.IsValidUserKey(userId))
        {
            error = RequestError.BadRequest($"userRequest.user.id must be 1 to {KakaoRequests.MaxUserKeyLength} characters without control characters");
            return null;
        }

        return new SkillRequest(userId, utterance);
    }

    private static bool TryGetObject(Dictionary<string, JsonElement> fields, string name, string path, out Dictionary<string, JsonElement> inner, out RequestError? error)
    {
        inner = [];
        return KakaoRequests.TryGetField(fields, name, path, JsonValueKind.Object, out var element, out error)
            && KakaoRequests.TryGetFields(element, out inner, out error);
    }
}
