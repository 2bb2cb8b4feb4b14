using System.Globalization;
using System.Reflection;
using KakaoFlow.Hooks;
using KakaoFlow.Scripting;

namespace KakaoFlow.Tests.Scripting;

/// <summary>Every sandbox message lives in <see cref="ScriptMessages"/>; each must format without throwing.</summary>
public sealed class ScriptMessagesTests
{
    public static TheoryData<string> Names { get; } = [.. Fields().Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Message_formats(string name)
    {
        var format = (string)Fields().Single(f => f.Name == name).GetRawConstantValue()!;

        var text = string.Format(CultureInfo.InvariantCulture, format, "가", 1, "나");

        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.DoesNotContain("{0", text, StringComparison.Ordinal);
    }

    private static IEnumerable<FieldInfo> Fields() =>
        typeof(ScriptMessages).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral);
}
