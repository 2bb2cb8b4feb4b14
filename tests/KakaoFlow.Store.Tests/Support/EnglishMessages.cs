using System.Globalization;
using System.Runtime.CompilerServices;

namespace KakaoFlow.Store.Tests.Support;

/// <summary>
/// The tests assert the English messages, so they run in English whatever the machine's locale (LANG, LC_ALL):
/// KakaoFlow writes its messages in CultureInfo.CurrentUICulture, which .NET takes from the locale.
/// </summary>
internal static class EnglishMessages
{
#pragma warning disable CA2255 // a test assembly, not a library: the culture must be pinned before any test runs
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Pin()
    {
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }
}
