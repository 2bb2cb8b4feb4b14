using System.Net;
using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting.Payments;
using KakaoFlow.Payments;
using KakaoFlow.Redis.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Redis.Tests;

/// <summary>
/// Chat commerce with two hosts on one Redis (docs/scale-out.md): a link one host gave works on the other, a card and
/// a payment made through one are seen by both, and an order is charged once whichever hosts are asked at once.
/// </summary>
public sealed class MultiHostPaymentTests
{
    private static readonly Dictionary<string, string> Shop = new()
    {
        ["shop"] = Flows.Header + """
            home:
              - 결제 카드:
                  js: |
                    say('아래 링크에서 카드를 등록해 주세요.');
                    link('카드 등록하기', pay.registerUrl());
              - 결제: { goto: order }
            steps:
              order:
                say: 주문 번호를 입력해 주세요.
                input:
                  save: order_no
                  type: text
                  next: charge
              charge:
                js: |
                  const paid = pay.charge(5600, vars.order_no);
                  say(paid.ok ? `결제 완료 ${paid.paymentId}` : `결제 실패 ${paid.code}`);
                goto: home
            """,
    };

    [Fact]
    public async Task A_link_from_one_host_registers_on_the_other_and_either_host_charges_and_lists_the_payment()
    {
        var (a, b) = await Hosts.StartTwoAsync(Shop);
        await using (a)
        await using (b)
        {
            var link = LinkOf(await a.MessageTextAsync("shop", "손님-1", "결제 카드"));
            Assert.StartsWith(a.Http.BaseAddress!.AbsoluteUri, link, StringComparison.Ordinal);

            // Behind one address the form may reach the other host.
            var onB = b.Http.BaseAddress!.AbsoluteUri + link[a.Http.BaseAddress!.AbsoluteUri.Length..];
            using (var page = await b.Http.GetAsync(new Uri(onB)))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            }

            var (status, html) = await PostFormAsync(b, onB, "4242 4242 4242 4242");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("Visa ****4242", html, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, (await PostFormAsync(a, link, "5555 5555 5555 4444")).Status);

            await b.SayAsync("shop", "손님-1", "결제");
            var paid = await b.SayAsync("shop", "손님-1", "A1001");
            Assert.StartsWith("결제 완료 pay_", paid, StringComparison.Ordinal);
            await a.SayAsync("shop", "손님-1", "결제");
            Assert.Equal(paid, await a.SayAsync("shop", "손님-1", "A1001"));

            foreach (var host in new[] { a, b })
            {
                var (adminStatus, body) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots/shop/payments", Lifecycle.OwnerToken);
                Assert.Equal(200, adminStatus);
                var payment = Assert.Single(body.GetProperty("payments").EnumerateArray().ToList());
                Assert.Equal(("A1001", "approved", 5600L), (payment.GetProperty("order_id").GetString(), payment.GetProperty("state").GetString(), payment.GetProperty("amount").GetInt64()));
                Assert.Equal(paid["결제 완료 ".Length..], payment.GetProperty("payment_id").GetString());
            }

            // No secret file: the hosts sign with the key kept in Redis.
            Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(a.DataFile)!, PaymentSecretFile.Name)));
        }
    }

    [Fact]
    public async Task The_same_order_charged_from_both_hosts_at_once_is_charged_once()
    {
        var (a, b) = await Hosts.StartTwoAsync(Shop);
        await using (a)
        await using (b)
        {
            var users = Enumerable.Range(1, 8).Select(i => $"손님-{i}").ToList();
            foreach (var user in users)
            {
                RegisterCard(users.IndexOf(user) % 2 == 0 ? a : b, user);
                await a.SayAsync("shop", user, "결제");
            }

            // Pairs of customers given the same order number pay at once, one on each host.
            var answers = await Task.WhenAll(users.Select((user, i) => (i % 2 == 0 ? a : b).SayAsync("shop", user, "B" + (i / 2))));

            foreach (var pair in answers.Chunk(2))
            {
                Assert.Single(pair, answer => answer.StartsWith("결제 완료", StringComparison.Ordinal));
                Assert.Single(pair, answer => answer == "결제 실패 order_mismatch");
            }

            var payments = Service(a).Payments("shop", 100);
            Assert.Equal(4, payments.Count);
            Assert.All(payments, payment => Assert.Equal(PaymentState.Approved, payment.State));
            Assert.Equal(["B0", "B1", "B2", "B3"], payments.Select(p => p.OrderId).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task With_Redis_down_the_page_answers_503_and_a_Redis_back_empty_has_a_new_key()
    {
        using var server = RedisServerProcess.Start();
        var (a, b) = await Hosts.StartTwoAsync(Shop, redis: new KakaoFlow.Store.Redis.RedisStoreOptions { EndPoint = server.EndPoint });
        await using (a)
        await using (b)
        {
            var link = LinkOf(await a.MessageTextAsync("shop", "손님-1", "결제 카드"));

            server.Stop();
            using (var down = await a.Http.GetAsync(new Uri(link)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
                Assert.Contains("잠시 뒤에 다시 해 주세요", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // Back without its data: the key that signed the link is gone with it, so the link is refused (the user asks
            // for a new one), and new links work on both hosts.
            server.StartAgain();
            // Each host reconnects on its own schedule (every half second): the form below goes to B.
            foreach (var host in new[] { a, b })
            {
                await Lifecycle.EventuallyAsync(() => host.App.Services.GetRequiredService<KakaoFlow.Store.Redis.RedisStore>().IsConnected, "reconnected", seconds: 10);
            }
            using (var old = await a.Http.GetAsync(new Uri(link)))
            {
                Assert.Equal(HttpStatusCode.Forbidden, old.StatusCode);
            }

            var fresh = LinkOf(await a.MessageTextAsync("shop", "손님-1", "결제 카드"));
            Assert.Equal(HttpStatusCode.OK, (await PostFormAsync(b, b.Http.BaseAddress!.AbsoluteUri + fresh[a.Http.BaseAddress!.AbsoluteUri.Length..], "4242 4242 4242 4242")).Status);
        }
    }

    private static PaymentService Service(TestHost host) => host.App.Services.GetRequiredService<HostPayments>().Service!;

    private static void RegisterCard(TestHost host, string user)
    {
        var payments = Service(host);
        var now = host.Clock.GetUtcNow();
        var ticket = payments.Tokens.Read(payments.Tokens.Issue("shop", user, now), "shop", now, out _)!;
        Assert.NotNull(payments.RegisterCard(ticket, "4242 4242 4242 4242", "12/30", "테스트", now).Card);
    }

    private static string LinkOf(string reply)
    {
        using var document = JsonDocument.Parse(reply);
        return document.RootElement.GetProperty("message").GetProperty("message_button").GetProperty("url").GetString()!;
    }

    private static async Task<(HttpStatusCode Status, string Html)> PostFormAsync(TestHost host, string url, string number)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["number"] = number, ["expiry"] = "12/30", ["holder"] = "홍길동" });
        using var response = await host.Http.PostAsync(new Uri(url), form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
