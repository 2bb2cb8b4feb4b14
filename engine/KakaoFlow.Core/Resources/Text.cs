using KakaoFlow.Diagnostics;

namespace KakaoFlow.Resources;

/// <summary>A message of <see cref="Messages"/> in the current UI language, its arguments filled in (<see cref="MessageText"/>).</summary>
internal static class Text
{
    public static string Of(string format, params object?[] args) => MessageText.Format(format, args);
}
