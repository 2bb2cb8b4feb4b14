using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace KakaoFlow.Hosting.Admin;

internal static class AdminRequests
{
    /// <summary>The reason of a block: <c>?reason=</c>, else a JSON body <c>{"reason": "..."}</c>; null when neither has text.</summary>
    public static async Task<string?> ReadReasonAsync(HttpRequest request, CancellationToken cancellation)
    {
        var query = request.Query["reason"].ToString();
        if (!string.IsNullOrWhiteSpace(query))
        {
            return query.Trim();
        }

        if (request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0)
        {
            return null;
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync(request.Body, AdminJson.Web.BlockRequest, cancellation).ConfigureAwait(false);
            return string.IsNullOrWhiteSpace(body?.Reason) ? null : body.Reason.Trim();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
