using System.Collections;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KakaoFlow.Cli.Resources;
using Microsoft.AspNetCore.Http;

namespace KakaoFlow.Cli.Sim;

/// <summary>
/// The page's files, embedded in the assembly from <c>Sim/wwwroot</c> (the pinned Mermaid build among them) and served
/// by the simulator itself, so it works with no internet. Revalidated by ETag on every load. The pages are written in
/// the simulator's language: <c>{{SimPage_…}}</c> in an .html file is that message of <see cref="CliMessages"/>,
/// <c>{{lang}}</c> the language (<c>ko</c>, <c>en</c>), and <c>{{texts}}</c> every <c>SimPage_…</c> message as JSON
/// for the page's script.
/// </summary>
internal sealed partial class SimAssets
{
    private const string Prefix = "sim/";

    /// <summary>The messages of the page: keys <c>SimPage_Title</c>… (the script reads them without the prefix).</summary>
    public const string PageKeyPrefix = "SimPage_";

    private readonly FrozenDictionary<string, Asset> _assets;

    private SimAssets(FrozenDictionary<string, Asset> assets) => _assets = assets;

    public IEnumerable<string> Names => _assets.Keys;

    [GeneratedRegex(@"\{\{(\w+)\}\}")]
    private static partial Regex Placeholder();

    public static SimAssets Load(CultureInfo language)
    {
        ArgumentNullException.ThrowIfNull(language);
        var assembly = typeof(SimAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(name => name.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[Prefix.Length..];
            var bytes = name.EndsWith(".html", StringComparison.Ordinal) ? Translate(copy.ToArray(), language) : copy.ToArray();
            assets[name] = new Asset(bytes, ContentType(name), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..20]}\"");
        }

        return new SimAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Every <c>SimPage_…</c> message in <paramref name="language"/>, keyed without the prefix.</summary>
    public static SortedDictionary<string, string> PageTexts(CultureInfo language)
    {
        var texts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var neutral = CliMessages.ResourceManager.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!;
        foreach (var key in neutral.Cast<DictionaryEntry>().Select(entry => (string)entry.Key).Where(key => key.StartsWith(PageKeyPrefix, StringComparison.Ordinal)))
        {
            texts[key[PageKeyPrefix.Length..]] = CliMessages.ResourceManager.GetString(key, language)!;
        }

        return texts;
    }

    private static byte[] Translate(byte[] html, CultureInfo language)
    {
        var texts = PageTexts(language);
        var page = Placeholder().Replace(Encoding.UTF8.GetString(html), match => match.Groups[1].Value switch
        {
            "lang" => language.TwoLetterISOLanguageName,

            // A JSON data block, not a script (the page's policy runs none inline); '<' is escaped, so no "</script>".
            "texts" => JsonSerializer.Serialize(texts, SimTextsJson.Default.SortedDictionaryStringString),
            var key when key.StartsWith(PageKeyPrefix, StringComparison.Ordinal) && texts.TryGetValue(key[PageKeyPrefix.Length..], out var text) => WebUtility.HtmlEncode(text),
            var key => throw new InvalidOperationException($"the simulator page names a message that does not exist: {key}"),
        });
        return Encoding.UTF8.GetBytes(page);
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

[System.Text.Json.Serialization.JsonSerializable(typeof(SortedDictionary<string, string>))]
internal sealed partial class SimTextsJson : System.Text.Json.Serialization.JsonSerializerContext;
