using System.Net;
using System.Text;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// Every bad SkillPayload gets 400 with the host's error JSON (code 100), never a 5xx or an HTML page; the user's
/// session is untouched and their next good utterance continues where they were.
/// </summary>
public sealed class SkillBadInputTests : PizzaHostTests
{
    private const string User = "skill-bad";

    private static string WithUserRequest(string userRequest) =>
        """{"intent":{"id":"b2f1","name":"폴백 블록"},"userRequest":""" + userRequest + ""","bot":{"id":"64a0","name":"피자나라"}}""";

    public static TheoryData<string, string, string?, string> Bodies => new()
    {
        // name, body, content type, the end of the message
        { "not JSON", "userRequest=1", "application/json", "the body is not valid JSON" },
        { "truncated JSON", SkillCalls.Payload(User, "레귤러")[..60], "application/json", "the body is not valid JSON" },
        { "empty body", "", "application/json", "the body is empty" },
        { "an array", "[]", "application/json", "the body must be a JSON object" },
        { "text/plain", SkillCalls.Payload(User, "레귤러"), "text/plain", "content type must be application/json; charset=utf-8" },
        { "form", "utterance=레귤러", "application/x-www-form-urlencoded", "content type must be application/json; charset=utf-8" },
        { "no content type", SkillCalls.Payload(User, "레귤러"), null, "content type must be application/json; charset=utf-8" },
        { "no userRequest", """{"intent":{"id":"b2f1"},"bot":{"id":"64a0"}}""", "application/json", "userRequest is missing" },
        { "userRequest null", WithUserRequest("null"), "application/json", "userRequest must be an object" },
        { "userRequest a string", WithUserRequest("\"레귤러\""), "application/json", "userRequest must be an object" },
        { "no user", WithUserRequest("""{"utterance":"레귤러"}"""), "application/json", "userRequest.user is missing" },
        { "user null", WithUserRequest("""{"utterance":"레귤러","user":null}"""), "application/json", "userRequest.user must be an object" },
        { "no user.id", WithUserRequest("""{"utterance":"레귤러","user":{"type":"botUserKey"}}"""), "application/json", "userRequest.user.id is missing" },
        { "user.id null", WithUserRequest("""{"utterance":"레귤러","user":{"id":null}}"""), "application/json", "userRequest.user.id must be a string" },
        { "user.id a number", WithUserRequest("""{"utterance":"레귤러","user":{"id":42}}"""), "application/json", "userRequest.user.id must be a string" },
        { "user.id empty", WithUserRequest("""{"utterance":"레귤러","user":{"id":""}}"""), "application/json", "userRequest.user.id must be 1 to 256 characters without control characters" },
        { "user.id of 257 characters", WithUserRequest("{\"utterance\":\"레귤러\",\"user\":{\"id\":\"" + new string('가', 257) + "\"}}"), "application/json", "userRequest.user.id must be 1 to 256 characters without control characters" },
        { "user.id with a control character", WithUserRequest("""{"utterance":"레귤러","user":{"id":"skill\u001Fbad"}}"""), "application/json", "userRequest.user.id must be 1 to 256 characters without control characters" },
        { "no utterance", WithUserRequest("""{"user":{"id":"skill-bad"}}"""), "application/json", "userRequest.utterance is missing" },
        { "utterance null", WithUserRequest("""{"utterance":null,"user":{"id":"skill-bad"}}"""), "application/json", "userRequest.utterance must be a string" },
        { "utterance a number", WithUserRequest("""{"utterance":7,"user":{"id":"skill-bad"}}"""), "application/json", "userRequest.utterance must be a string" },
        { "utterance an object", WithUserRequest("""{"utterance":{"text":"레귤러"},"user":{"id":"skill-bad"}}"""), "application/json", "userRequest.utterance must be a string" },
        { "utterance a lone surrogate", WithUserRequest("""{"utterance":"\ud800","user":{"id":"skill-bad"}}"""), "application/json", "userRequest.utterance is not valid text" },
        { "utterance twice", WithUserRequest("""{"utterance":"레귤러","utterance":"라지","user":{"id":"skill-bad"}}"""), "application/json", "duplicate field utterance" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_bad_payload_is_refused_and_the_session_is_untouched(string name, string body, string? contentType, string message)
    {
        var user = await SizeStepUser.OnSkillAsync(Server, User);

        using var response = await Server.PostRawAsync("/pizza/skill", body, contentType);
        await AssertRefusedAsync(response, 100, "bad request: " + message, name);
        await user.AssertUntouchedAndServingAsync();
    }

    [Fact]
    public async Task A_payload_over_64_KiB_is_refused_before_it_is_read()
    {
        var user = await SizeStepUser.OnSkillAsync(Server, User);

        using var response = await Server.PostJsonAsync("/pizza/skill", SkillCalls.Payload(User, new string('가', 30_000)));

        await AssertRefusedAsync(response, 100, "bad request: the body is larger than 65536 bytes", "over-large");
        Assert.Equal("close", response.Headers.Connection.Single());
        await user.AssertUntouchedAndServingAsync();
    }

    [Fact]
    public async Task A_chunked_payload_over_64_KiB_is_refused()
    {
        var user = await SizeStepUser.OnSkillAsync(Server, User);
        var response = await ChunkedPost.SendAsync(Server.Http, "/pizza/skill", Encoding.UTF8.GetBytes(SkillCalls.Payload(User, new string('가', 30_000))));
        if (response is not null)
        {
            await AssertRefusedAsync(response, 100, "bad request: the body is larger than 65536 bytes", "over-large chunked");
            response.Dispose();
        }

        await user.AssertUntouchedAndServingAsync();
    }

    [Fact]
    public async Task An_unknown_bot_gets_the_same_answer_as_on_message()
    {
        using var skill = await Server.PostJsonAsync("/nobot/skill", SkillCalls.Payload(User, "레귤러"));
        using var message = await Server.SendMessageAsync("nobot", User, "레귤러");

        await AssertRefusedAsync(skill, 202, "wrong bot url", "unknown bot");
        Assert.Equal(await message.Content.ReadAsStringAsync(), await skill.Content.ReadAsStringAsync());
        Assert.Equal(message.StatusCode, skill.StatusCode);
    }

    [Fact]
    public async Task Another_method_on_the_skill_path_is_the_error_json()
    {
        using var response = await Server.Http.GetAsync(new Uri("/pizza/skill", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("""{"code":100,"message":"method not allowed"}""", await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, int code, string message, string name) =>
        Assert.Equal($$"""{"code":{{code}},"message":{{Json.Quote(message)}}}""", await Refusals.AssertBadRequestAsync(response, name));
}
