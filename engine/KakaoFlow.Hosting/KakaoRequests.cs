using System.Buffers;
using System.Text.Json;
using KakaoFlow.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace KakaoFlow.Hosting;

/// <summary>A webhook request refused: the HTTP status and the Kakao error code and message to answer with.</summary>
internal sealed record RequestError(int Status, int Code, string Message)
{
    public static RequestError BadRequest(string detail) => new(StatusCodes.Status400BadRequest, KakaoCodes.BadRequest, "bad request: " + detail);
}

/// <summary>A valid <c>POST /message</c>: who wrote, and what.</summary>
internal readonly record struct MessageRequest(string UserKey, Turn Turn);

/// <summary>A valid <c>POST /friend</c>: who added the bot.</summary>
internal readonly record struct FriendRequest(string UserKey);

/// <summary>The Kakao error codes used here (docs/kakao-api.md, "Error answers").</summary>
internal static class KakaoCodes
{
    public const int BadRequest = 100;
    public const int WrongApiKey = 201;
    public const int WrongBotUrl = 202;
    public const int UnsupportedMediaType = 400;
}

/// <summary>
/// Reading and validating webhook bodies. Input is untrusted (the platform signs nothing): the body is
/// bounded before it is read, must be <c>application/json</c> in UTF-8, and every field is type-checked.
/// </summary>
internal static class KakaoRequests
{
    public const int MaxUserKeyLength = 256;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    public static async Task<(JsonDocument? Document, RequestError? Error)> ReadJsonAsync(HttpContext context, int maxBytes)
    {
        var request = context.Request;
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(context, maxBytes));
        }

        if (!IsJsonUtf8(request.ContentType))
        {
            CloseAfterResponse(context);
            return (null, RequestError.BadRequest("content type must be application/json; charset=utf-8"));
        }

        var (body, error) = await ReadBodyAsync(context, maxBytes).ConfigureAwait(false);
        return error is not null ? (null, error) : ParseObject(body!);
    }

    /// <summary>The whole body, bounded by <paramref name="maxBytes"/> while it is read.</summary>
    private static async Task<(ArrayBufferWriter<byte>? Body, RequestError? Error)> ReadBodyAsync(HttpContext context, int maxBytes)
    {
        var request = context.Request;

        // Sized to the announced body (Kakao sends Content-Length): no growing, and no 4 KiB per 70-byte message.
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length + 1 : 512);
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.WrittenCount == 0 ? (null, RequestError.BadRequest("the body is empty")) : (buffer, null);
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                {
                    return (null, TooLarge(context, maxBytes));
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(context, maxBytes));
        }
        catch (BadHttpRequestException)
        {
            CloseAfterResponse(context);
            return (null, RequestError.BadRequest("the body could not be read"));
        }
    }

    private static (JsonDocument? Document, RequestError? Error) ParseObject(ArrayBufferWriter<byte> body)
    {
        try
        {
            var document = JsonDocument.Parse(body.WrittenMemory, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, RequestError.BadRequest("the body must be a JSON object"));
            }

            return (document, null);
        }
        catch (JsonException)
        {
            return (null, RequestError.BadRequest("the body is not valid JSON"));
        }
    }

    /// <summary>The body of <c>POST /message</c>: <c>{"user_key": str, "type": "text"|"photo", "content": str}</c>.</summary>
    public static MessageRequest? ParseMessage(JsonElement body, out RequestError? error)
    {
        if (!TryGetFields(body, out var fields, out error))
        {
            return null;
        }

        if (!TryGetUserKey(fields, out var userKey, out error)
            || !TryGetString(fields, "type", out var type, out error)
            || !TryGetString(fields, "content", out var content, out error))
        {
            return null;
        }

        TurnKind kind;
        switch (type)
        {
            case "text":
                kind = TurnKind.Text;
                break;
            case "photo":
                kind = TurnKind.Photo;
                break;
            default:
                error = new RequestError(StatusCodes.Status400BadRequest, KakaoCodes.UnsupportedMediaType, "unsupported media type: type must be text or photo");
                return null;
        }

        return new MessageRequest(userKey, new Turn(kind, content));
    }

    /// <summary>The body of <c>POST /friend</c>: <c>{"user_key": str}</c>.</summary>
    public static FriendRequest? ParseFriend(JsonElement body, out RequestError? error)
    {
        if (!TryGetFields(body, out var fields, out error) || !TryGetUserKey(fields, out var userKey, out error))
        {
            return null;
        }

        return new FriendRequest(userKey);
    }

    /// <summary>A user_key from a URL or a body: 1 to 256 characters, no control characters.</summary>
    public static bool IsValidUserKey(string? userKey) =>
        !string.IsNullOrEmpty(userKey) && userKey.Length <= MaxUserKeyLength && !userKey.Any(char.IsControl);

    public static bool IsJsonUtf8(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)
            || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = media.Charset.HasValue ? media.Charset.Value!.Trim('"') : null;
        return charset is null
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    private static RequestError TooLarge(HttpContext context, int maxBytes)
    {
        CloseAfterResponse(context);
        return RequestError.BadRequest($"the body is larger than {maxBytes} bytes");
    }

    /// <summary>
    /// The rest of the body stays unread, so the connection cannot carry another request: say so, or the client
    /// would reuse it and see its next request fail.
    /// </summary>
    private static void CloseAfterResponse(HttpContext context) => context.Response.Headers.Connection = "close";

    internal static bool TryGetFields(JsonElement body, out Dictionary<string, JsonElement> fields, out RequestError? error)
    {
        fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (!fields.TryAdd(property.Name, property.Value))
            {
                error = RequestError.BadRequest($"duplicate field {Printable(property.Name)}");
                return false;
            }
        }

        error = null;
        return true;
    }

    private static bool TryGetUserKey(Dictionary<string, JsonElement> fields, out string userKey, out RequestError? error)
    {
        if (!TryGetString(fields, "user_key", out userKey, out error))
        {
            return false;
        }

        if (!IsValidUserKey(userKey))
        {
            error = RequestError.BadRequest($"user_key must be 1 to {MaxUserKeyLength} characters without control characters");
            return false;
        }

        return true;
    }

    /// <summary>The string field <paramref name="name"/>; a refusal names it <paramref name="path"/> (e.g. <c>userRequest.utterance</c>), or <paramref name="name"/>.</summary>
    internal static bool TryGetString(Dictionary<string, JsonElement> fields, string name, out string value, out RequestError? error, string? path = null)
    {
        value = "";
        path ??= name;
        if (!TryGetField(fields, name, path, JsonValueKind.String, out var element, out error))
        {
            return false;
        }

        try
        {
            value = element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate written as \uD800: not text.
            error = RequestError.BadRequest($"{path} is not valid text");
            return false;
        }

        return true;
    }

    /// <summary>The field <paramref name="name"/>, present and of the <paramref name="kind"/> wanted; a refusal names it <paramref name="path"/>.</summary>
    internal static bool TryGetField(Dictionary<string, JsonElement> fields, string name, string path, JsonValueKind kind, out JsonElement element, out RequestError? error)
    {
        if (!fields.TryGetValue(name, out element))
        {
            error = RequestError.BadRequest($"{path} is missing");
            return false;
        }

        if (element.ValueKind != kind)
        {
            error = RequestError.BadRequest($"{path} must be {(kind == JsonValueKind.Object ? "an object" : "a string")}");
            return false;
        }

        error = null;
        return true;
    }

    private static string Printable(string name) => name.Length <= 32 && !name.Any(char.IsControl) ? name : "(unprintable)";
}
