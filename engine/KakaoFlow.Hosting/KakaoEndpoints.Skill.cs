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
        var (document, error) = await KakaoRequests.ReadJsonAsync(context, host.Options.MaxBodyBytes).ConfigureAwait(false);
        using (document)
        {
            var payload = document is null ? null : SkillRequests.Parse(document.RootElement, out error);
            if (payload is not { } parsed)
            {
                throw new RequestRefusedException(error!);
            }

            // As on /message: a bot that is not running answers messages.stopped and leaves the session alone.
            var reply = host.Controller.StateOf(flow).State == Storage.ServiceState.Running
                ? await host.Conversations.HandleSkillMessageAsync(flow, parsed.UserId, parsed.Utterance).ConfigureAwait(false)
                : ServiceController.StoppedReply(flow);
            await WriteAsync(context, StatusCodes.Status200OK, SkillResponse(reply)).ConfigureAwait(false);
        }
    }

    private static byte[] SkillResponse(Reply reply) => SkillJson.Response(SkillRendering.Render(reply));
}
