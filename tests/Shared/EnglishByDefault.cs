using System.Globalization;
using System.Runtime.CompilerServices;

namespace KakaoFlow.Testing;

/// <summary>
/// Tests that read English messages (the commands', the diagnostics', the hooks') pass under any locale, although .NET
/// takes the UI culture from LANG/LC_ALL: before any test runs, the language the
/// <c>kakaoflow</c> commands choose (and the processes the tests start inherit) is English, as is every thread's
/// UI culture. A test that wants Korean says so with <c>--lang ko</c>.
/// </summary>
internal static class EnglishByDefault
{
#pragma warning disable CA2255 // A test assembly's start-up is the one place that must run before every test.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Pin()
    {
        Environment.SetEnvironmentVariable("KAKAOFLOW_LANG", "en");
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.GetCultureInfo("en");
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
    }
}
