using System.Net.Http.Headers;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>A JSON body posted without a Content-Length (chunked), as a client that streams it would.</summary>
internal static class ChunkedPost
{
    /// <summary>
    /// The server's answer, or null when it closed the connection while the rest of the body was still being sent
    /// (a refusal too, for a body it will not take).
    /// </summary>
    public static async Task<HttpResponseMessage?> SendAsync(HttpClient http, string path, byte[] body)
    {
        using var content = new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        try
        {
            return await http.PostAsync(new Uri(path, UriKind.Relative), content);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>A stream that hides its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
