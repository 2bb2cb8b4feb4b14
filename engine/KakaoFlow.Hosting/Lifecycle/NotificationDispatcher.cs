using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KakaoFlow.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting.Lifecycle;

/// <summary>
/// Delivers the <c>notifications</c> outbox: every message to the log, and to the webhook
/// (<see cref="KakaoFlowOptions.NotifyUrl"/>) when one is configured, as
/// <c>POST {"id","phone","bot","kind","text","at"}</c> with an <c>Idempotency-Key</c> header equal to <c>id</c>.
/// </summary>
/// <remarks>
/// <para>
/// Never lost: the message is in LiteDB before anyone is told (written in the transaction of the state change), and
/// it stays undelivered until a webhook answered 2xx; after a restart the outbox is read again. Failures (non-2xx,
/// network error, timeout) are retried with exponential backoff (<see cref="KakaoFlowOptions.NotifyRetryDelay"/>
/// doubling up to <see cref="KakaoFlowOptions.NotifyMaxRetryDelay"/>), on the real clock; right after a restart
/// every pending message is tried once at once.
/// </para>
/// <para>
/// Never twice, and its limit: one dispatcher per process works the outbox one message at a time and marks a message
/// delivered right after its 2xx, so no message is POSTed again once marked. If the process dies between the
/// receiver's 2xx and the mark (a window of one LiteDB write), the message is POSTed again after the restart: delivery
/// is at-least-once, not exactly-once — no sender can do better over HTTP without the receiver's help. The <c>id</c>
/// (a random key per event, the same on every attempt) lets the receiver drop such a repeat, which makes the effect
/// exactly-once for a receiver that remembers the keys it has seen.
/// </para>
/// </remarks>
internal sealed class NotificationDispatcher(IServiceStore store, IOptions<KakaoFlowOptions> settings, ILogger<NotificationDispatcher> logger, IHostCoordination hosts, TimeProvider flowClock)
    : BackgroundService
{
    private readonly KakaoFlowOptions options = settings.Value;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    // Retries wait in real time (a receiver's outage is real, whatever clock the flows run on); a delivery is stamped on
    // the flow clock, the one the retention sweep prunes delivered messages by.
    private readonly TimeProvider _realClock = TimeProvider.System;

    // The first pass after start-up tries every undelivered message at once, whatever backoff an earlier process
    // stored: a restart is often the fix (a corrected --notify-url, the receiver back up).
    private bool _firstPass = true;

    /// <summary>Tells the dispatcher that the outbox has something new.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.NotifyPollInterval;
            try
            {
                wait = await DeliverDueAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The notifier must keep running: log and try again later.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.NotifierFailed(logger, e);
            }

            try
            {
                await _wake.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    /// <summary>Delivers every due message; returns how long to wait before the next one is due.</summary>
    private async Task<TimeSpan> DeliverDueAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        foreach (var note in store.Undelivered(100))
        {
            var now = _realClock.GetUtcNow();
            if (!_firstPass && note.NextAttemptAt is { } next && next > now)
            {
                wait = Min(wait, next - now);
                continue;
            }

            // Hosts sharing the outbox: each attempt is made by the one host that claims it (longer than a POST's timeout).
            if (!hosts.TryClaimDelivery(note, TimeSpan.FromSeconds(30)))
            {
                continue;
            }

            if (note.Attempts == 0)
            {
                Log.Notification(logger, note.Id, note.BotId, note.Kind, note.Text);
            }

            if (options.NotifyUrl is null)
            {
                store.MarkDelivered(note.Id, flowClock.GetUtcNow());
                continue;
            }

            var error = await PostAsync(options.NotifyUrl, note, stoppingToken).ConfigureAwait(false);
            if (error is null)
            {
                store.MarkDelivered(note.Id, flowClock.GetUtcNow());
                Log.NotificationDelivered(logger, note.Id, note.Attempts + 1);
                continue;
            }

            var delay = Backoff(note.Attempts);
            store.MarkFailed(note.Id, _realClock.GetUtcNow() + delay, error);
            Log.NotificationFailed(logger, note.Id, note.Attempts + 1, error, delay);
            wait = Min(wait, delay);
        }

        _firstPass = false;
        return wait;
    }

    private async Task<string?> PostAsync(Uri url, Notification note, CancellationToken stoppingToken)
    {
        using var content = new ByteArrayContent(Body(note));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Add("Idempotency-Key", note.Key);
        try
        {
            using var response = await _http.SendAsync(request, stoppingToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
        catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return "timed out";
        }
    }

    /// <summary>The webhook body: <c>{"id","phone","bot","kind","text","at"}</c>, Korean as UTF-8.</summary>
    internal static byte[] Body(Notification note)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", note.Key);
            writer.WriteString("phone", note.Phone);
            writer.WriteString("bot", note.BotId);
            writer.WriteString("kind", note.Kind);
            writer.WriteString("text", note.Text);
            writer.WriteString("at", note.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private TimeSpan Backoff(int attemptsBefore)
    {
        var delay = options.NotifyRetryDelay * Math.Pow(2, Math.Min(attemptsBefore, 20));
        return Min(delay, options.NotifyMaxRetryDelay);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
