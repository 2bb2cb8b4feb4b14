using KakaoFlow.Compiling;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Hosting.Skill;
using KakaoFlow.Runtime;
using KakaoFlow.Skill;
using Microsoft.AspNetCore.Http;

namespace KakaoFlow.Hosting;

/// <summary>
/// <c>POST /{bot}/skill</c>: the Open Builder skill API 2.0 (docs/skill-api.md). Mapped and wrapped by
/// <see cref="Run"/> like the auto-reply endpoints, so the webhook secret, an unknown bot and the last-resort
/// answer work the same; refusals are the same error JSON.
/// </summary>
internal static partial class KakaoEndpoints
{
    private static async Task PostSkillAsync(Services host, HttpContext context, CompiledFlow flow)
    {
        var skill = await ReadBodyAsync<SkillRequest>(host, context, SkillRequests.Parse).ConfigureAwait(false);
        var reply = IsRunning(host, flow)
            ? await host.Conversations.HandleSkillMessageAsync(flow, skill.UserId, skill.Utterance).ConfigureAwait(false)
            : ServiceController.StoppedReply(flow);
        await WriteAsync(context, StatusCodes.Status200OK, SkillResponse(reply)).ConfigureAwait(false);
    }

    private static byte[] SkillResponse(Reply reply) => SkillJson.Response(SkillRendering.Render(reply));
}
