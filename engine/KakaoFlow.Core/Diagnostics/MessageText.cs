using System.Globalization;
using System.Text;
using KakaoFlow.Templates;

namespace KakaoFlow.Diagnostics;

/// <summary>
/// Formats the message texts of the resources (Resources/Messages*.resx, ScriptMessages*.resx): <c>{0}</c> is an
/// argument, <c>{{</c> and <c>}}</c> are braces, as in <see cref="string.Format(IFormatProvider, string, object[])"/>;
/// and <c>{0|을}</c> is the particle that argument 0 takes, chosen as <c>{{name|을}}</c> is in a flow's templates
/// (<see cref="KoreanParticles"/>): <c>버튼 '{0}'{0|이}</c> gives <c>버튼 '메뉴'가</c>, <c>버튼 '주문'이</c>. Numbers
/// are written the same in every language (invariant culture).
/// </summary>
public static class MessageText
{
    public static string Format(string format, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(args);
        var text = new StringBuilder(format.Length + 32);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '}')
            {
                if (i + 1 >= format.Length || format[i + 1] != '}')
                {
                    throw new FormatException($"a lone '}}' at {i} in: {format}");
                }

                text.Append('}');
                i++;
                continue;
            }

            if (c != '{')
            {
                text.Append(c);
                continue;
            }

            if (i + 1 < format.Length && format[i + 1] == '{')
            {
                text.Append('{');
                i++;
                continue;
            }

            var close = format.IndexOf('}', i);
            if (close < 0 || Placeholder.Parse(format.AsSpan(i + 1, close - i - 1)) is not { } placeholder || placeholder.Index >= args.Length)
            {
                throw new FormatException($"a bad placeholder at {i} in: {format}");
            }

            var value = Convert.ToString(args[placeholder.Index], CultureInfo.InvariantCulture) ?? "";
            text.Append(placeholder.Particle is { } particle ? ParticleAfter(value, particle) : value);
            i = close;
        }

        return text.ToString();
    }

    /// <summary>The form of <paramref name="particle"/> that <paramref name="value"/> takes; Hangul written as separate jamo (NFD) counts as the syllables it shows.</summary>
    private static string ParticleAfter(string value, string particle)
    {
        var shown = value.Normalize(NormalizationForm.FormC);
        return KoreanParticles.Attach(shown, particle)[shown.Length..];
    }

    /// <summary>The argument numbers a format uses (<c>{0}</c> and <c>{0|을}</c> both use 0); for the tests that compare languages.</summary>
    public static IReadOnlySet<int> ArgumentsOf(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var used = new SortedSet<int>();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] is '{' or '}' && i + 1 < format.Length && format[i + 1] == format[i])
            {
                i++;
            }
            else if (format[i] == '{' && format.IndexOf('}', i) is var close and > 0
                && Placeholder.Parse(format.AsSpan(i + 1, close - i - 1)) is { } placeholder)
            {
                used.Add(placeholder.Index);
                i = close;
            }
        }

        return used;
    }

    private sealed record Placeholder(int Index, string? Particle)
    {
        public static Placeholder? Parse(ReadOnlySpan<char> inside)
        {
            var bar = inside.IndexOf('|');
            var number = bar < 0 ? inside : inside[..bar];
            if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return null;
            }

            return new Placeholder(index, bar < 0 ? null : inside[(bar + 1)..].ToString());
        }
    }
}
