using KakaoFlow.Cli;
using KakaoFlow.Tests.Scenarios;
using KakaoFlow.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KakaoFlow.Tests.Cli;

/// <summary>The terminal simulator driven through redirected stdin (a reader) and stdout (a writer).</summary>
public sealed class ChatSimulatorTests : IDisposable
{
    private static readonly string Pizza = Path.Combine(TestFlows.RepoRoot, "flows", "pizza");

    private readonly string _root = Directory.CreateTempSubdirectory("kakaoflow-chat-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(9)));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Bot(string flow = TestCommandTests.Flow)
    {
        var folder = Path.Combine(_root, "cafe");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "flow.yaml"), flow);
        return folder;
    }

    private (int Exit, string Out) Chat(string bot, params string[] lines) => Chat(bot, new ScriptedReader(lines.Select(l => (l, (Action?)null))));

    private (int Exit, string Out) Chat(string bot, TextReader input)
    {
        var output = new StringWriter();
        var exit = new ChatSimulator(bot, TestFlows.Compiler, input, output, Terminal.Plain, _clock).Run();
        return (exit, output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Shows_the_home_keyboard_then_replies_like_the_client_and_exits_zero_at_end_of_input()
    {
        var (exit, output) = Chat(Pizza, "1", "불고기 피자");

        Assert.Equal(0, exit);
        Assert.Equal(
            """
            피자나라 (pizza) — type a number, a label or text; /help for commands

            원하는 버튼을 선택하세요
              1) 메뉴 보기
              2) 영업 시간
              3) 매장 안내
              4) 이벤트
            > → 메뉴 보기

            피자나라
              오늘의 메뉴입니다. 주문할 피자를 골라 주세요.
              [photo] https://pizzanara.example.com/images/menu.jpg (640x480)
              [link] 전체 메뉴판 → https://pizzanara.example.com/menu
              (step: menu)

            원하는 버튼을 선택하세요
              1) 불고기 피자
              2) 페퍼로니 피자
              3) 포테이토 피자
              4) 고구마 피자
              5) 치즈 피자
              6) 처음으로
            > 
            피자나라
              불고기 피자의 크기를 골라 주세요. 라지는 4,000원이 추가돼요.
              (step: size)

            원하는 버튼을 선택하세요
              1) 레귤러
              2) 라지
              3) 다른 피자 고르기
              4) 처음으로
            > 

            """,
            output);
    }

    [Fact]
    public void A_text_keyboard_takes_free_input_and_vars_prints_json()
    {
        var (_, output) = Chat(Pizza, "메뉴 보기", "1", "2", "동의합니다", "마포", "서울시 마포구 월드컵로 12, 301호", "/vars");

        Assert.Contains("(type your message) > ", output, StringComparison.Ordinal);
        Assert.Contains("  주소가 너무 짧아요. 동·호수까지 다시 입력해 주세요.\n", output, StringComparison.Ordinal);
        Assert.Contains("  주소: 서울시 마포구 월드컵로 12, 301호\n", output, StringComparison.Ordinal);
        Assert.Contains(
            """
            {
              "address": "서울시 마포구 월드컵로 12, 301호",
              "extra": 4000,
              "item": "불고기 피자",
              "price": 18000,
              "size": "라지"
            }
            """,
            output,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Free_text_at_a_buttons_keyboard_is_sent_as_typed_and_numbers_out_of_range_too()
    {
        var (_, output) = Chat(Pizza, "피자 주세요", "9");

        Assert.Equal(2, output.Split("  아래 버튼 중에서 선택해 주세요.\n").Length - 1);
        Assert.DoesNotContain("→", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Wait_past_the_context_lifetime_brings_back_the_home_keyboard()
    {
        var (_, output) = Chat(Pizza, "메뉴 보기", "/wait 9m", "/wait 1m", "불고기 피자");

        Assert.Contains("(clock: 2026-01-05 10:09:00 KST, +9m)\n> ", output, StringComparison.Ordinal);
        Assert.Contains("(clock: 2026-01-05 10:10:00 KST, +1m)\n(no message for 10m: the conversation context expired)\n\n원하는 버튼을 선택하세요\n  1) 메뉴 보기\n", output, StringComparison.Ordinal);
        Assert.EndsWith("  아래 버튼 중에서 선택해 주세요.\n  (step: home)\n\n원하는 버튼을 선택하세요\n  1) 메뉴 보기\n  2) 영업 시간\n  3) 매장 안내\n  4) 이벤트\n> \n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Speaks_the_current_language_around_the_bots_own_text()
    {
        using var korean = UiLanguage.Korean();

        var (exit, output) = Chat(Pizza, "1", "/wait 20m", "/dance", "/reset");

        Assert.Equal(0, exit);
        Assert.StartsWith("피자나라 (pizza) — 번호나 버튼 이름, 또는 글을 입력하세요; 명령은 /help\n", output, StringComparison.Ordinal);
        Assert.Contains("  (단계: menu)\n", output, StringComparison.Ordinal);
        Assert.Contains("(시계: 2026-01-05 10:20:00 KST, +20m)\n(10m 동안 메시지가 없어서 대화 맥락이 끝났어요)", output, StringComparison.Ordinal);
        Assert.Contains("모르는 명령이에요: '/dance'; /help에 목록이 있어요", output, StringComparison.Ordinal);
        Assert.Contains("(새 대화: 처음 화면의 새 사용자예요)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("(step: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_starts_a_new_session_and_quit_stops_reading()
    {
        var (exit, output) = Chat(Pizza, "메뉴 보기", "불고기 피자", "/reset", "/vars", "/quit", "메뉴 보기");

        Assert.Equal(0, exit);
        Assert.Contains("(new session: you are a new user at Home)\n\n원하는 버튼을 선택하세요\n", output, StringComparison.Ordinal);
        Assert.Contains("> {}\n> ", output, StringComparison.Ordinal);
        Assert.EndsWith("> ", output, StringComparison.Ordinal);
        Assert.Single(output.Split("오늘의 메뉴입니다").Skip(1));
    }

    [Fact]
    public void Photo_sends_a_photo_turn()
    {
        var faq = Path.Combine(TestFlows.RepoRoot, "flows", "faq");

        var (_, output) = Chat(faq, "교환·반품", "상품 불량·파손", "사진 보내기", "/photo cup.jpg", "/photo https://example.com/cup.jpg", "/vars");

        Assert.Contains("usage: /photo https://example.com/photo.jpg", output, StringComparison.Ordinal);
        Assert.Contains("  사진을 받았어요. 확인 후 영업일 하루 안에 교환이나 환불을 도와 드릴게요.\n", output, StringComparison.Ordinal);
        Assert.Contains("\"defect_photo_url\": \"https://example.com/cup.jpg\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Hook_logs_and_errors_are_shown()
    {
        var (_, output) = Chat(Bot(), "방문", "고장", "시간");

        Assert.Matches(@"  log .*flow\.yaml:\d+:\d+: visit 1\n", output);
        Assert.Contains("  방문 1번째\n", output, StringComparison.Ordinal);
        Assert.Matches(@"  ! HookError at .*flow\.yaml:\d+:\d+: .*주문 서버가 응답하지 않아요", output);
        Assert.Contains("  지금은 2026-01-05T10:00:00.000+09:00\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_pick_from_buttons_a_hook_offered()
    {
        var (_, output) = Chat(Bot(), "추천", "2");

        Assert.Contains("  1) 김치찌개\n  2) 된장찌개\n", output, StringComparison.Ordinal);
        Assert.Contains("→ 된장찌개\n", output, StringComparison.Ordinal);
        Assert.Contains("  된장찌개 주문을 받았어요.\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shop_takes_a_test_card_from_the_card_command_and_pays_with_it()
    {
        var shop = Path.Combine(TestFlows.RepoRoot, "flows", "shop");

        var (exit, output) = Chat(shop, "장보기", "우유 1L", "장바구니 보기", "결제하기", "/card", "/card 4242 4242 4242 4241", "/card 4242 4242 4242 4242", "등록했어요", "결제하기", "/reset", "결제 카드");

        Assert.Equal(0, exit);
        Assert.Contains("[link] 카드 등록하기 → https://pay.kakaoflow.test/shop/pay/register?t=", output, StringComparison.Ordinal);
        Assert.Contains("(a card registration link: here, register a test card with /card 4242 4242 4242 4242)", output, StringComparison.Ordinal);
        Assert.Contains("usage: /card 4242 4242 4242 4242", output, StringComparison.Ordinal);
        Assert.Contains("(refused: 카드 번호를 다시 확인해 주세요.", output, StringComparison.Ordinal);
        Assert.Contains("(card: Visa ****4242)", output, StringComparison.Ordinal);
        Assert.Contains("Visa ****4242 카드로 결제할까요?", output, StringComparison.Ordinal);
        Assert.Contains("결제가 끝났어요. 주문번호 1001번", output, StringComparison.Ordinal);

        // A new user has no card.
        Assert.Contains("결제 카드가 아직 없어요", output[output.LastIndexOf("(new session", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_explain_themselves()
    {
        var (_, output) = Chat(Bot(), "/help", "/wait soon", "/dance");

        Assert.Contains("/wait 10m", output, StringComparison.Ordinal);
        Assert.Contains("usage: /wait 10m", output, StringComparison.Ordinal);
        Assert.Contains("unknown command '/dance'; /help lists them", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Saving_the_flow_reloads_it_and_a_broken_save_keeps_the_old_version()
    {
        var bot = Bot();
        var flowFile = Path.Combine(bot, "flow.yaml");
        var reader = new ScriptedReader(
        [
            ("안녕", null),
            ("안녕", () => File.WriteAllText(flowFile, TestCommandTests.Flow.Replace("안녕: 반가워요", "안녕: 어서 오세요", StringComparison.Ordinal))),
            ("안녕", () => File.WriteAllText(flowFile, TestCommandTests.Flow.Replace("goto: size", "goto: sise", StringComparison.Ordinal))),
            ("안녕", () => File.WriteAllText(flowFile, TestCommandTests.Flow.Replace("안녕: 반가워요", "안녕: 또 오셨네요", StringComparison.Ordinal))),
        ]);

        var (exit, output) = Chat(bot, reader);

        Assert.Equal(0, exit);
        var answers = output.Split('\n').Where(l => l is "  반가워요" or "  어서 오세요" or "  또 오셨네요").ToList();
        Assert.Equal(["  반가워요", "  어서 오세요", "  어서 오세요", "  또 오셨네요"], answers);
        Assert.Contains("error KF010: goto target 'sise' is not a step", output, StringComparison.Ordinal);
        Assert.Matches(@"\(the changed flow has errors; still answering with version [0-9a-f]{12}\)", output);
        Assert.Equal(2, output.Split("(flow changed: reloaded, version ").Length - 1);
    }

    [Fact]
    public void A_flow_with_errors_at_the_start_exits_one_with_diagnostics()
    {
        var (exit, output) = Chat(Bot(TestFlows.Header + "home: []\n"), "안녕");

        Assert.Equal(1, exit);
        Assert.Contains("error KF014", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chat_command_checks_its_argument_and_reads_stdin()
    {
        var bot = Bot();
        var stderr = new StringWriter();

        Assert.Equal(2, await CommandLine.RunAsync(["chat"], new StringReader(""), new StringWriter(), stderr));
        Assert.Equal(2, await CommandLine.RunAsync(["chat", Path.Combine(_root, "missing")], new StringReader(""), new StringWriter(), stderr));
        var stdout = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["chat", Path.Combine(bot, "flow.yaml")], new StringReader("안녕\n"), stdout, stderr));
        Assert.Contains("  반가워요", stdout.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Stdin as a list of lines, each optionally preceded by an action (e.g. saving the flow).</summary>
    private sealed class ScriptedReader(IEnumerable<(string Line, Action? Before)> lines) : TextReader
    {
        private readonly Queue<(string Line, Action? Before)> _lines = new(lines);

        public override string? ReadLine()
        {
            if (!_lines.TryDequeue(out var next))
            {
                return null;
            }

            next.Before?.Invoke();
            return next.Line;
        }
    }
}
