using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace KakaoFlow.Cli.Sim;

/// <summary>
/// The page's files, embedded in the assembly from <c>Sim/wwwroot</c> (the pinned Mermaid build among them) and served
/// by the simulator itself, so it works with no internet. Revalidated by ETag on every load.
/// </summary>
internal sealed class SimAssets
{
    private const string Prefix = "sim/";

    private readonly FrozenDictionary<string, Asset> _assets;

    private SimAssets(FrozenDictionary<string, Asset> assets) => _assets = assets;

    public IEnumerable<string> Names => _assets.Keys;

    public static SimAssets Load()
    {
        var assembly = typeof(SimAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(name => name.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource[Prefix.Length..];
            assets[name] = new Asset(bytes, ContentType(name), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..20]}\"");
        }

        return new SimAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The file, or 304 when the browser has it already; 404 for a name that is not one of them.</summary>
    public IResult Serve(HttpContext context, string name)
    {
        if (!_assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (name.EndsWith(".html", StringComparison.Ordinal))
        {
            // Mermaid puts <style> into its SVG; photos in replies come from anywhere. Scripts only from here.
            headers.ContentSecurityPolicy = "default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; connect-src 'self'";
        }

        return context.Request.Headers.IfNoneMatch == asset.ETag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "text/plain; charset=utf-8",
    };

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
