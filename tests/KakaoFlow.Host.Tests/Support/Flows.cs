using System.Text;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>Flows written for these tests (Korean, as bot owners write them).</summary>
internal static class Flows
{
    public const string Header = """
        name: 테스트
        monitor: { phone: "010-0000-0000" }
        privacy_consent: true

        """;

    public const string Pizza = """
        name: 피자나라
        monitor: { phone: "010-1234-5678" }
        privacy_consent: true
        home:
          - 영업 시간: 매일 11시부터 22시까지 영업합니다.
          - 메뉴 보기:
              say: 오늘의 메뉴입니다.
              photo: { url: "https://example.com/menu.jpg", width: 640, height: 480 }
              link: { label: 전체 메뉴판, url: "https://example.com/menu" }
              buttons:
                - 불고기 피자:
                    set: { item: 불고기 피자, price: 18000 }
                    goto: size
                - 처음으로: { goto: home }
        steps:
          size:
            say: "{{item}}의 크기를 골라 주세요."
            buttons:
              - 레귤러: { set: { size: 레귤러 }, goto: address }
              - 라지: { set: { size: 라지 }, goto: address }
          address:
            say: 배달 받을 주소를 입력해 주세요.
            input:
              save: address
              retry: 주소를 다시 확인해 주세요.
              next: confirm
          confirm:
            say: "{{item}} {{size}}를 {{address}}(으)로 보낼까요? ({{price}}원)"
            buttons:
              - 주문하기: 주문이 접수되었습니다.
              - 취소: { say: 주문을 취소했어요., goto: home }
        """;

    /// <summary>A chain s1 → s2 → … → s40 advanced by "다음": each reply names the step reached, so lost updates show.</summary>
    public static string Chain(int length)
    {
        var yaml = new StringBuilder(Header);
        yaml.Append("home:\n  - 다음: { goto: s1 }\nsteps:\n");
        for (var i = 1; i <= length; i++)
        {
            var next = Math.Min(i + 1, length);
            yaml.Append($"  s{i}:\n    say: \"{i}번째\"\n    buttons:\n      - 다음: {{ goto: s{next} }}\n");
        }

        return yaml.ToString();
    }

    /// <summary>A counter kept by a hook (needs a script compiler).</summary>
    public const string Counter = Header + """
        home:
          - 하나 더:
              js: "vars.count = (vars.count || 0) + 1"
              say: "{{count}}"
        """;

    public const string Broken = Header + """
        home:
          - 가기: { goto: nowhere }
        """;
}
