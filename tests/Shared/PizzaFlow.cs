namespace KakaoFlow.Testing;

/// <summary>A small pizza-ordering flow (a menu with a photo and a link, a size, a typed address, a confirmation): the body under a header.</summary>
internal static class PizzaFlow
{
    public const string Body = """
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
}
