using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting.Admin;

/// <summary>Endpoint metadata: the least role that may call an admin endpoint (the owner's, unless it says operator).</summary>
internal sealed record AdminRoleRequirement(AdminRole Role);

/// <summary>
/// The one authorization of the admin API: <c>Authorization: Bearer TOKEN</c> on every call. No or unknown token →
/// 401; the owner's token on an operator action (block, unblock) → 403. The operator's token can do everything the
/// owner's can. Every call is logged with the role that made it and the status it got.
/// </summary>
internal sealed class AdminAuthorizationFilter(AdminTokens tokens, ILogger<AdminAuthorizationFilter> logger) : IEndpointFilter
{
    private const string RoleItem = "kakaoflow.admin-role";

    public static AdminRole RoleOf(HttpContext context) =>
        context.Items.TryGetValue(RoleItem, out var role) && role is AdminRole known ? known : AdminRole.None;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var needed = http.GetEndpoint()?.Metadata.GetMetadata<AdminRoleRequirement>()?.Role ?? AdminRole.Owner;
        var role = Presented(http);
        object? result;
        if (role == AdminRole.None)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            result = AdminEndpoints.Error(StatusCodes.Status401Unauthorized, "missing or unknown token: send Authorization: Bearer TOKEN");
        }
        else if (needed == AdminRole.Operator && role != AdminRole.Operator)
        {
            result = AdminEndpoints.Error(StatusCodes.Status403Forbidden, "only an operator can do this");
        }
        else
        {
            http.Items[RoleItem] = role;
            result = await next(context).ConfigureAwait(false);
        }

        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        Log.Admin(logger, http.Request.Method, http.Request.Path.Value ?? "", role.ToString().ToLowerInvariant(), status);
        return result;
    }

    private AdminRole Presented(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return AdminRole.None;
        }

        var token = header[scheme.Length..].Trim();
        return token.Length == 0 ? AdminRole.None : tokens.RoleOf(token);
    }
}
