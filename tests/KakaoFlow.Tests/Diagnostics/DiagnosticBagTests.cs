using KakaoFlow.Diagnostics;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Diagnostics;

public sealed class DiagnosticBagTests
{
    [Fact]
    public void Sorted_puts_errors_first_then_warnings_each_by_place()
    {
        var bag = new DiagnosticBag();
        bag.Report(DiagnosticCodes.UnreachableStep, new SourceSpan("flow.yaml", 2, 3), "a");
        bag.Report(DiagnosticCodes.EmptyButtons, new SourceSpan("flow.yaml", 9, 7));
        bag.Report(DiagnosticCodes.UnreachableStep, new SourceSpan("flow.yaml", 1, 1), "b");
        bag.Report(DiagnosticCodes.EmptyLabel, new SourceSpan("flow.yaml", 4, 5));

        var sorted = bag.Sorted().Select(d => $"{d.Span.Line}:{d.Code}");

        Assert.Equal(["4:KF028", "9:KF014", "1:KF018", "2:KF018"], sorted);
    }

    [Fact]
    public void A_step_used_twice_through_an_alias_is_reported_once()
    {
        var diagnostics = TestFlows.Diagnostics(TestFlows.Header + """
            home:
              - 메뉴: &menu
                  say: 오늘의 메뉴 #1
                  goto: home
                  buttons:
                    - 처음으로: { goto: home }
              - 다시: *menu
            """);

        Assert.Equal(["KF015", "KF062"], diagnostics.Select(d => d.Code));
    }
}
