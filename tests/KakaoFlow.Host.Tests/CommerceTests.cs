using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting.Payments;
using KakaoFlow.Payments;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// The shop sample end to end over HTTP: the card registration page really posted, pay in the chat, the admin view of
/// payments, and no card number anywhere in the data folder or the logs.
/// </summary>
public sealed partial class CommerceTests : IAsyncLifetime
{
    private const string TestCard = "4242424242424242";
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartWithSamplesAsync(Lifecycle.WithTokens());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> Say(string user, string content) =>
        JsonDocument.Parse(await _host.MessageTextAsync("shop", user, content)).RootElement.Clone();

    private static string Text(JsonElement reply) => reply.GetProperty("message").GetProperty("text").GetString()!;

    private static string Link(JsonElement reply) => reply.GetProperty("message").GetProperty("message_button").GetProperty("url").GetString()!;

    private async Task<(HttpStatusCode Status, string Html)> GetPage(string url)
    {
        using var response = await _host.Http.GetAsync(new Uri(url));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, string Html)> PostForm(string url, string number, string expiry = "12/30", string holder = "홍길동")
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["number"] = number, ["expiry"] = expiry, ["holder"] = holder });
        using var response = await _host.Http.PostAsync(new Uri(url), form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> RegistrationLink(string user)
    {
        await Say(user, "처음으로");
        return Link(await Say(user, "결제 카드"));
    }

    [Fact]
    public async Task A_customer_registers_a_card_on_the_page_and_pays_in_the_chat()
    {
        await Say("손님-1", "장보기");
        await Say("손님-1", "우유 1L");
        await Say("손님-1", "장바구니 보기");
        var asked = await Say("손님-1", "결제하기");
        var url = Link(asked);
        Assert.Contains("결제 카드가 아직 없어요", Text(asked), StringComparison.Ordinal);
        Assert.StartsWith(_host.Http.BaseAddress!.AbsoluteUri + "shop/pay/register?t=", url, StringComparison.Ordinal);
        Assert.DoesNotContain("손님-1", url, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString("손님-1"), url, StringComparison.Ordinal);

        using (var page = await _host.Http.GetAsync(new Uri(url)))
        {
            var form = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
            Assert.Contains("no-store", page.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
            Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("결제 카드 등록", form, StringComparison.Ordinal);
            Assert.Contains("<form method=\"post\"", form, StringComparison.Ordinal);
            foreach (var input in new[] { "number", "expiry", "holder" })
            {
                Assert.Contains($"name=\"{input}\"", form, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("<script", form, StringComparison.OrdinalIgnoreCase);
        }

        // A wrong digit: a clear message, 400, the number not echoed back, and the same link still works.
        var (badStatus, badHtml) = await PostForm(url, "4242 4242 4242 4241");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("카드 번호를 다시 확인해 주세요", badHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("4242 4242 4242 4241", badHtml, StringComparison.Ordinal);
        Assert.Contains("value=\"홍길동\"", badHtml, StringComparison.Ordinal);

        var (status, html) = await PostForm(url, "4242 4242 4242 4242");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Visa ****4242", html, StringComparison.Ordinal);

        // Used once: the link is spent.
        Assert.Equal(HttpStatusCode.Forbidden, (await PostForm(url, "5555 5555 5555 4444")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetPage(url)).Status);

        var confirm = await Say("손님-1", "등록했어요");
        Assert.Contains("Visa ****4242 카드로 결제할까요?", Text(confirm), StringComparison.Ordinal);
        var receipt = Text(await Say("손님-1", "결제하기"));
        Assert.StartsWith("결제가 끝났어요. 주문번호 1001번", receipt, StringComparison.Ordinal);
        Assert.Contains("1001번 2,800원 결제 완료", Text(await Say("손님-1", "주문 내역")), StringComparison.Ordinal);

        var (adminStatus, body) = await _host.AdminAsync(HttpMethod.Get, "/_admin/bots/shop/payments", Lifecycle.OwnerToken);
        Assert.Equal(200, adminStatus);
        var payment = Assert.Single(body.GetProperty("payments").EnumerateArray().ToList());
        Assert.Equal("A1001", payment.GetProperty("order_id").GetString());
        Assert.StartsWith("pay_", payment.GetProperty("payment_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(2800, payment.GetProperty("amount").GetInt64());
        Assert.Equal("approved", payment.GetProperty("state").GetString());
        Assert.Equal(("Visa", "4242"), (payment.GetProperty("brand").GetString(), payment.GetProperty("last4").GetString()));
        Assert.Equal(PaymentUsers.Tag("손님-1"), payment.GetProperty("user").GetString());
        Assert.Equal(JsonValueKind.String, payment.GetProperty("at").ValueKind);
        Assert.Equal(401, (await _host.AdminAsync(HttpMethod.Get, "/_admin/bots/shop/payments", null)).Status);
        Assert.Equal(404, (await _host.AdminAsync(HttpMethod.Get, "/_admin/bots/nope/payments", Lifecycle.OwnerToken)).Status);

        var (exit, table, error) = await Kakaoflow.RunAsync("admin", "payments", "shop", "--url", _host.Http.BaseAddress!.AbsoluteUri, "--token", Lifecycle.OwnerToken);
        Assert.True(exit == 0, error);
        OutputAssert.ContainsAll(
            table,
            "ORDER",
            "A1001",
            "2,800원",
            "Visa ****4242",
            "1 approved (2,800원), 0 refunded, 0 declined");
    }

    [Fact]
    public async Task A_missing_changed_expired_or_foreign_link_gets_403_and_stores_nothing()
    {
        var url = await RegistrationLink("손님-2");
        var token = url[(url.IndexOf("?t=", StringComparison.Ordinal) + 3)..];
        var root = _host.Http.BaseAddress!.AbsoluteUri;
        var pizzaLink = $"{root}pizza/pay/register?t={token}";
        var changed = url[..^3] + (url[^3] == 'A' ? "B" : "A") + url[^2..];

        foreach (var bad in new[] { $"{root}shop/pay/register", $"{root}shop/pay/register?t=", changed, pizzaLink })
        {
            var (status, html) = await PostForm(bad, "4242 4242 4242 4242");
            Assert.True(status == HttpStatusCode.Forbidden, bad);
            Assert.Contains("링크를 쓸 수 없어요", html, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, (await GetPage(bad)).Status);
        }

        _host.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(HttpStatusCode.Forbidden, (await PostForm(url, "4242 4242 4242 4242")).Status);
        Assert.Null(Payments.Card("shop", "손님-2"));
        Assert.Contains("결제 카드가 아직 없어요", Text(await Say("손님-2", "결제 카드")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await GetPage($"{root}nobot/pay/register?t={token}")).Status);
    }

    [Fact]
    public async Task A_link_allows_five_refused_forms_then_it_is_spent()
    {
        var url = await RegistrationLink("손님-7");

        foreach (var wrong in new[] { "0", "1", "3", "4", "5" }.Take(RegistrationAttempts.MaxFailures))
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await PostForm(url, "4242 4242 4242 424" + wrong)).Status);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await PostForm(url, "4242 4242 4242 4242")).Status);
        Assert.Null(Payments.Card("shop", "손님-7"));
        Assert.Equal(HttpStatusCode.OK, (await PostForm(await RegistrationLink("손님-7"), "4242 4242 4242 4242")).Status);
    }

    [Fact]
    public async Task A_link_registers_the_card_of_the_user_it_was_made_for()
    {
        var url = await RegistrationLink("손님-3");

        await PostForm(url, "5555 5555 5555 4444");

        Assert.Equal(new CardSummary("Mastercard", "4444"), Payments.Card("shop", "손님-3"));
        Assert.Null(Payments.Card("shop", "손님-4"));
        Assert.Null(Payments.Card("pizza", "손님-3"));
    }

    [Fact]
    public async Task The_card_number_is_in_no_file_of_the_data_folder_and_no_log_line()
    {
        var url = await RegistrationLink("손님-5");
        Assert.Equal(HttpStatusCode.BadRequest, (await PostForm(url, "4242 4242 4242 4241")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostForm(url, "4242 4242 4242 4242")).Status);
        await Say("손님-5", "처음으로");
        await Say("손님-5", "장보기");
        await Say("손님-5", "달걀 10구");
        await Say("손님-5", "장바구니 보기");
        await Say("손님-5", "결제하기");
        Assert.StartsWith("결제가 끝났어요", Text(await Say("손님-5", "결제하기")), StringComparison.Ordinal);

        AssertNoCardNumber();
        await _host.RestartAsync(); // closes the store: flushed and checkpointed into the data file
        AssertNoCardNumber();
        Assert.Equal(new CardSummary("Visa", "4242"), Payments.Card("shop", "손님-5"));
    }

    [Fact]
    public async Task A_skill_user_registers_and_pays_the_same_way()
    {
        const string user = "skill-user-1";
        await _host.SkillTextAsync("shop", user, "장보기");
        await _host.SkillTextAsync("shop", user, "사과 1kg");
        await _host.SkillTextAsync("shop", user, "장바구니 보기");
        var body = await _host.SkillTextAsync("shop", user, "결제하기");
        var url = RegisterLink().Match(body).Value;
        Assert.NotEmpty(url);

        Assert.Equal(HttpStatusCode.OK, (await PostForm(url, "4242 4242 4242 4242")).Status);

        Assert.Equal(new CardSummary("Visa", "4242"), Payments.Card("shop", SkillCalls.KeyOf(user)));
        Assert.Contains("Visa ****4242 카드로 결제할까요?", (await _host.SkillAsync("shop", user, "등록했어요")).Texts, StringComparison.Ordinal);
        Assert.Contains("결제가 끝났어요", (await _host.SkillAsync("shop", user, "결제하기")).Texts, StringComparison.Ordinal);
        var payment = Assert.Single(Payments.Payments("shop", 10));
        Assert.Equal(PaymentUsers.Tag(SkillCalls.KeyOf(user)), payment.User);
    }

    [Fact]
    public async Task The_signing_secret_is_kept_next_to_the_data_file_readable_by_its_owner_only()
    {
        await RegistrationLink("손님-6");
        var file = PaymentSecretFile.NextTo(_host.DataFile);

        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        // Links made before a restart still work after it.
        var link = new Uri(await RegistrationLink("손님-6"));
        await _host.RestartAsync();
        var url = new Uri(_host.Http.BaseAddress!, link.PathAndQuery).AbsoluteUri; // the test host listens on a new port
        Assert.Equal(HttpStatusCode.OK, (await PostForm(url, "4242 4242 4242 4242")).Status);
    }

    private PaymentService Payments => _host.App.Services.GetRequiredService<HostPayments>().Service!;

    private void AssertNoCardNumber()
    {
        var forms = new[] { TestCard, "4242 4242 4242 4242", "4242-4242-4242-4242", "4242424242424241", "4242 4242 4242 4241" };
        var folder = Path.GetDirectoryName(_host.DataFile)!;
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            if (file.EndsWith(".lock", StringComparison.Ordinal))
            {
                // Held exclusively by the running store (no one may open it): it is empty, by design.
                Assert.Equal(0, new FileInfo(file).Length);
                continue;
            }

            var bytes = File.ReadAllBytes(file);
            foreach (var form in forms)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(form)) < 0, $"{file} holds {form}");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(form)) < 0, $"{file} holds {form} (UTF-16)");
            }
        }

        Assert.NotEmpty(_host.Logs.Lines);
        Assert.Contains(_host.Logs.Lines, line => line.Contains("card registered for bot shop", StringComparison.Ordinal));
        foreach (var line in _host.Logs.Lines)
        {
            Assert.DoesNotContain(forms, form => line.Contains(form, StringComparison.Ordinal));
        }
    }

    [GeneratedRegex(@"https?://[^""\s]+/shop/pay/register\?t=[A-Za-z0-9_.\-]+")]
    private static partial Regex RegisterLink();
}
