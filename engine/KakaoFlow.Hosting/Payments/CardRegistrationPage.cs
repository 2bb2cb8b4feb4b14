using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using KakaoFlow.Payments;
using KakaoFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting.Payments;

/// <summary>
/// <c>GET /{bot}/pay/register?t=TOKEN</c>: the card registration form (Korean, no script); <c>POST</c> to the same URL
/// registers the card (docs/commerce.md). The signed token is the only credential and ties the page to one user of one
/// bot; it is also what keeps another site from posting the form for the user (it cannot know it). The card number is
/// read from the form, handed to the gateway and dropped: it is never stored, logged or written back into the page.
/// A link allows <see cref="RegistrationAttempts.MaxFailures"/> refused forms, then it is spent.
/// </summary>
internal static partial class CardRegistrationPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static void Map(IEndpointRouteBuilder bots, IServiceProvider root)
    {
        var payments = root.GetRequiredService<HostPayments>();
        var catalog = root.GetRequiredService<BotCatalog>();
        var clock = root.GetRequiredService<TimeProvider>();
        var logger = root.GetRequiredService<ILoggerFactory>().CreateLogger("KakaoFlow.Payments");
        var outage = root.GetService<StoreOutageLog>();
        var attempts = new RegistrationAttempts();
        bots.MapGet("/pay/register", (HttpContext context) => Answer(context, post: false));
        bots.MapPost("/pay/register", (HttpContext context) => Answer(context, post: true));

        async Task Answer(HttpContext context, bool post)
        {
            try
            {
                await Handle(context, post).ConfigureAwait(false);
            }
            catch (StoreUnavailableException e) when (!context.Response.HasStarted)
            {
                // The store is down (Redis unreachable, a full disk): the link stays usable once it is back.
                outage?.Report("the card registration page", e);
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, Page("잠시 뒤에 다시 해 주세요", "<p>지금은 카드를 등록할 수 없어요. 잠시 뒤에 이 페이지를 다시 열어 주세요.</p>")).ConfigureAwait(false);
            }
        }

        async Task Handle(HttpContext context, bool post)
        {
            var botId = (string)context.GetRouteValue("bot")!;
            var token = context.Request.Query["t"].ToString();
            var flow = catalog.Find(botId);
            if (flow is null || payments.Service is not { } service)
            {
                await WriteAsync(context, StatusCodes.Status404NotFound, Page("찾을 수 없어요", "<p>이 주소에는 카드 등록 페이지가 없어요.</p>")).ConfigureAwait(false);
                return;
            }

            var now = clock.GetUtcNow();
            var ticket = service.Tokens.Read(token, botId, now, out var why);
            if (ticket is not null && attempts.Exhausted(ticket.TokenId))
            {
                (ticket, why) = (null, $"{RegistrationAttempts.MaxFailures} refused forms on this link");
            }

            if (ticket is null)
            {
                Refused(logger, botId, context.Request.Method, why);
                await WriteAsync(context, StatusCodes.Status403Forbidden, Expired()).ConfigureAwait(false);
                return;
            }

            if (!post)
            {
                var current = service.Store.FindCard(botId, ticket.Holder);
                if (current?.RegisteredWith == ticket.TokenId)
                {
                    // This link already registered the card in use: it is spent.
                    await WriteAsync(context, StatusCodes.Status403Forbidden, Expired()).ConfigureAwait(false);
                    return;
                }

                await WriteAsync(context, StatusCodes.Status200OK, Form(flow.Name, token, current, problem: null, expiry: "", holder: "")).ConfigureAwait(false);
                return;
            }

            if (!context.Request.HasFormContentType)
            {
                await WriteAsync(context, StatusCodes.Status400BadRequest, Form(flow.Name, token, null, "양식을 다시 보내 주세요.", "", "")).ConfigureAwait(false);
                return;
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            string expiry = form["expiry"].ToString(), holder = form["holder"].ToString();
            var outcome = service.RegisterCard(ticket, form["number"].ToString(), expiry, holder, now);
            if (outcome.TokenUsed)
            {
                Refused(logger, botId, context.Request.Method, "link already used");
                await WriteAsync(context, StatusCodes.Status403Forbidden, Expired()).ConfigureAwait(false);
                return;
            }

            if (outcome.Card is not { } card)
            {
                attempts.Failed(ticket.TokenId, ticket.ExpiresAt, now);
                FormRefused(logger, botId, ticket.Holder[..12]);
                await WriteAsync(context, StatusCodes.Status400BadRequest, Form(flow.Name, token, null, outcome.Problem, expiry, holder)).ConfigureAwait(false);
                return;
            }

            Registered(logger, botId, ticket.Holder[..12], card.Brand, card.Last4);
            await WriteAsync(context, StatusCodes.Status200OK, Page("카드를 등록했어요", $"""
                <p><strong>{Html.Encode(card.Brand)} ****{Html.Encode(card.Last4)}</strong> 카드를 등록했어요.</p>
                <p>이제 카카오톡 채팅으로 돌아가 결제를 이어 가세요. 이 창은 닫아도 돼요.</p>
                """)).ConfigureAwait(false);
        }
    }

    private static string Form(string botName, string token, CardRecord? current, string? problem, string expiry, string holder)
    {
        var notice = problem is null ? "" : $"""<p class="problem" role="alert">{Html.Encode(problem)}</p>""";
        var existing = current is null ? "" : $"<p>지금 등록된 카드: {Html.Encode(current.Brand)} ****{Html.Encode(current.Last4)}. 새 카드를 등록하면 바뀌어요.</p>";
        return Page($"{botName} 결제 카드 등록", $"""
            <p>채팅에서 결제할 카드를 한 번만 등록해 주세요. 카드 번호는 결제 대행사에만 전달되고, 봇과 이 서버에는 남지 않아요. (마지막 4자리만 보여 드려요.)</p>
            {existing}
            {notice}
            <form method="post" action="?t={Html.Encode(token)}" autocomplete="off">
              <label>카드 번호<input name="number" inputmode="numeric" autocomplete="cc-number" placeholder="0000 0000 0000 0000" required maxlength="23"></label>
              <label>유효기간 (MM/YY)<input name="expiry" autocomplete="cc-exp" placeholder="MM/YY" required maxlength="7" value="{Html.Encode(expiry)}"></label>
              <label>카드에 적힌 이름<input name="holder" autocomplete="cc-name" required maxlength="60" value="{Html.Encode(holder)}"></label>
              <button type="submit">카드 등록</button>
            </form>
            <p class="small">이 링크는 30분 동안 쓸 수 있어요.</p>
            """);
    }

    private static string Expired() => Page("링크를 쓸 수 없어요", """
        <p>링크가 만료되었거나, 이미 사용했거나, 올바르지 않아요.</p>
        <p>카카오톡 채팅에서 카드 등록 버튼을 다시 눌러 새 링크를 받아 주세요.</p>
        """);

    private static string Page(string title, string body) => $"""
        <!doctype html>
        <html lang="ko">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>{Html.Encode(title)}</title>
        <style>
        body {"{"} font-family: sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; {"}"}
        label {"{"} display: block; margin: 1rem 0; {"}"}
        input {"{"} display: block; width: 100%; padding: .5rem; font-size: 1.1rem; box-sizing: border-box; {"}"}
        button {"{"} width: 100%; padding: .75rem; font-size: 1.1rem; {"}"}
        .problem {"{"} color: #b00020; font-weight: bold; {"}"}
        .small {"{"} font-size: .85rem; color: #555; {"}"}
        </style>
        </head>
        <body>
        <h1>{Html.Encode(title)}</h1>
        {body}
        </body>
        </html>
        """;

    private static async Task WriteAsync(HttpContext context, int status, string html)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        var headers = response.Headers;
        // The token is in the URL: no caching, no Referer to other sites, no framing, nothing but this page's own form.
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Content-Type-Options"] = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        var bytes = Encoding.UTF8.GetBytes(html);
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "card registered for bot {Bot}, user {User}: {Brand} ****{Last4}")]
    private static partial void Registered(ILogger logger, string bot, string user, string brand, string last4);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "card form of bot {Bot}, user {User} refused (number, expiry or name; not logged)")]
    private static partial void FormRefused(ILogger logger, string bot, string user);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "card registration page of bot {Bot} refused a {Method}: {Why}")]
    private static partial void Refused(ILogger logger, string bot, string method, string why);
}
