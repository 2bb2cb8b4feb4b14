using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>Sending a body as it is, and checking a request was refused with the Kakao error JSON.</summary>
internal static class Refusals
{
    /// <summary>Posts <paramref name="body"/> with <paramref name="contentType"/> (none when null), whatever they hold.</summary>
    public static Task<HttpResponseMessage> PostRawAsync(this TestHost host, string path, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return host.Http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public static Task<HttpResponseMessage> PostRawAsync(this TestHost host, string path, string body, string? contentType) =>
        host.PostRawAsync(path, Encoding.UTF8.GetBytes(body), contentType);

    /// <summary>Checks a 400 with a JSON body (<paramref name="name"/> says which case failed); returns the body.</summary>
    public static async Task<string> AssertBadRequestAsync(HttpResponseMessage response, string name)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return body;
    }
}
