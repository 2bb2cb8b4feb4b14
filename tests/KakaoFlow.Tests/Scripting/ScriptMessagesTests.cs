using System.Collections;
using System.Globalization;
using System.Resources;
using KakaoFlow.Diagnostics;
using KakaoFlow.Scripting;

namespace KakaoFlow.Tests.Scripting;

/// <summary>Every sandbox message lives in <see cref="ScriptMessages"/> (Resources/ScriptMessages.resx); each must format without throwing.</summary>
public sealed class ScriptMessagesTests
{
    public static TheoryData<string> Names { get; } = [.. Keys()];

    [Theory]
    [MemberData(nameof(Names))]
    public void Message_formats_in_English_and_Korean(string name)
    {
        foreach (var culture in new[] { CultureInfo.InvariantCulture, CultureInfo.GetCultureInfo("ko") })
        {
            var format = ScriptMessages.ResourceManager.GetString(name, culture)!;

            var text = MessageText.Format(format, "가", 1, "나");

            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.DoesNotContain("{0", text, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<string> Keys() =>
        ScriptMessages.ResourceManager.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!
            .Cast<DictionaryEntry>().Select(entry => (string)entry.Key).Order(StringComparer.Ordinal);
}
