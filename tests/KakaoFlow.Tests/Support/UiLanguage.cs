using System.Globalization;

namespace KakaoFlow.Tests.Support;

/// <summary>Runs a block of a test in one UI language (the tests otherwise run in English): <c>using var _ = UiLanguage.Korean();</c>.</summary>
internal sealed class UiLanguage : IDisposable
{
    private readonly CultureInfo _before = CultureInfo.CurrentUICulture;

    private UiLanguage(CultureInfo culture) => CultureInfo.CurrentUICulture = culture;

    public static CultureInfo KoreanCulture { get; } = CultureInfo.GetCultureInfo("ko-KR");

    public static UiLanguage Korean() => new(KoreanCulture);

    public static UiLanguage English() => new(CultureInfo.InvariantCulture);

    public void Dispose() => CultureInfo.CurrentUICulture = _before;
}
