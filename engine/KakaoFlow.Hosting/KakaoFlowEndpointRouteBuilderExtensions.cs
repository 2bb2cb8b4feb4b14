using KakaoFlow.Hosting;
using KakaoFlow.Hosting.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoints registered by <c>AddKakaoFlow</c>.</summary>
public static class KakaoFlowEndpointRouteBuilderExtensions
{
    /// <summary>
    /// The KakaoTalk webhook of every bot under <c>/{bot}</c>: <c>GET keyboard</c>, <c>POST message</c>,
    /// <c>POST friend</c>, <c>DELETE friend/{user_key}</c>, <c>DELETE chat_room/{user_key}</c> (docs/kakao-api.md), and the Open
    /// Builder skill <c>POST skill</c> (docs/skill-api.md), and the card registration page <c>GET/POST pay/register</c>
    /// (docs/commerce.md).
    /// </summary>
    public static RouteGroupBuilder MapKakaoFlow(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var bots = endpoints.MapGroup("/{bot}");
        KakaoEndpoints.Map(bots, endpoints.ServiceProvider);
        KakaoFlow.Hosting.Payments.CardRegistrationPage.Map(bots, endpoints.ServiceProvider);
        return bots;
    }

    /// <summary>The admin API under <c>/_admin</c>, behind one bearer-token filter (docs/operations.md).</summary>
    public static RouteGroupBuilder MapKakaoFlowAdmin(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var admin = endpoints.MapGroup("/_admin").AddEndpointFilter<AdminAuthorizationFilter>();
        var operatorOnly = new AdminRoleRequirement(AdminRole.Operator);
        admin.MapGet("/bots", (AdminEndpoints api) => api.ListBots());
        admin.MapGet("/bots/{bot}", (string bot, AdminEndpoints api) => api.ShowBot(bot));
        admin.MapPost("/bots/{bot}/start", (string bot, HttpContext context, AdminEndpoints api) => api.Start(bot, context));
        admin.MapPost("/bots/{bot}/stop", (string bot, HttpContext context, AdminEndpoints api) => api.Stop(bot, context));
        admin.MapPost("/bots/{bot}/block", (string bot, HttpContext context, AdminEndpoints api) => api.Block(bot, context))
            .WithMetadata(operatorOnly);
        admin.MapPost("/bots/{bot}/unblock", (string bot, AdminEndpoints api) => api.Unblock(bot))
            .WithMetadata(operatorOnly);
        admin.MapGet("/notifications", (string? bot, AdminEndpoints api) => api.ListNotifications(bot));
        admin.MapGet("/bots/{bot}/payments", (string bot, BotCatalog catalog, KakaoFlow.Hosting.Payments.HostPayments payments) => PaymentEndpoints.List(bot, catalog, payments));
        return admin;
    }
}
