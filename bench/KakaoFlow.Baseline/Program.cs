// The ceiling of bench/load.sh: the same Kestrel set-up as `kakaoflow serve` (slim builder, no logging), reading
// the request body and answering /{bot}/message with one constant Kakao reply. Nothing else.
// usage: dotnet KakaoFlow.Baseline.dll [URL]   (default http://127.0.0.1:5091)
using System.Text;

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseUrls(args.Length > 0 ? args[0] : "http://127.0.0.1:5091");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Logging.ClearProviders();

var app = builder.Build();
var reply = Encoding.UTF8.GetBytes(
    """{"message":{"text":"피자의 크기를 골라 주세요. 기본 18000원이에요."},"keyboard":{"type":"buttons","buttons":["라지","레귤러","처음으로"]}}""");

app.MapPost("/{bot}/message", async (HttpContext context) =>
{
    // Read the whole body, as the real host does before it answers.
    var buffer = new byte[4096];
    while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false) > 0)
    {
    }

    var response = context.Response;
    response.ContentType = "application/json; charset=utf-8";
    response.ContentLength = reply.Length;
    await response.Body.WriteAsync(reply, context.RequestAborted).ConfigureAwait(false);
});

await app.RunAsync().ConfigureAwait(false);
