using KakaoFlow.Compiling;

namespace KakaoFlow.Hosting.Lifecycle;

/// <summary>The monitoring messages to the owner's phone: the kinds of docs/operations.md and their Korean texts.</summary>
internal static class NotificationTexts
{
    public const string StoppedByErrors = "stopped-by-errors";
    public const string ErrorBudget80 = "error-budget-80";
    public const string Blocked = "blocked";
    public const string Unblocked = "unblocked";

    public static string StoppedByErrorsText(CompiledFlow flow, int count, int limit) =>
        $"[KakaoFlow] '{flow.Name}'({flow.BotId}) 봇의 오늘 오류가 {count}건으로 하루 한도 {limit}건을 넘어 서비스가 자동으로 중지되었습니다. 오류를 고친 뒤 서비스를 다시 시작해 주세요.";

    public static string ErrorBudget80Text(CompiledFlow flow, int count, int limit) =>
        $"[KakaoFlow] '{flow.Name}'({flow.BotId}) 봇의 오늘 오류가 {count}건으로 하루 한도 {limit}건의 80%에 이르렀습니다. 한도를 넘으면 서비스가 자동으로 중지됩니다.";

    public static string BlockedText(CompiledFlow flow, string reason) =>
        $"[KakaoFlow] '{flow.Name}'({flow.BotId}) 봇이 운영 정책에 따라 차단되었습니다. 사유: {reason}. 내용을 고친 뒤 운영자에게 차단 해제를 요청해 주세요.";

    public static string UnblockedText(CompiledFlow flow) =>
        $"[KakaoFlow] '{flow.Name}'({flow.BotId}) 봇의 차단이 해제되었습니다. 서비스를 다시 시작할 수 있습니다.";
}
