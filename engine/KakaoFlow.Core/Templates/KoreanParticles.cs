using System.Collections.Frozen;

namespace KakaoFlow.Templates;

/// <summary>
/// Korean particles that change with the sound they follow (을/를, 이/가, 은/는, 과/와, 으로/로, 이나/나, 이랑/랑, 아/야,
/// 이에요/예요): <c>{{name|을}}</c> in a template and <c>josa(value, '을')</c> in a hook print the value with the right one.
/// </summary>
/// <remarks>
/// What the value ends with decides (docs/flow-language.md, "Particles"):
/// <list type="bullet">
/// <item>a Hangul syllable: its final consonant (받침); 으로/로 takes 로 after ㄹ too (서울로, 집으로);</item>
/// <item>digits: the Korean reading of the number — 3 (삼) takes 을, 2 (이) takes 를, 10 (십) 을, 1000 (천) 을,
/// 10000 (만) 을; 1 (일), 7 (칠) and 8 (팔) end in ㄹ;</item>
/// <item>Latin letters in capitals (TV, KT, L) are read letter by letter (브이, 케이티, 엘); a word in small letters is
/// read as it is written: l ends in ㄹ (hotel을, 으로 → hotel로), m, n, ng and b, c, d, g, k, p, t end in a consonant
/// (cake를, shop을), anything else in a vowel (pizza를);</item>
/// <item>anything else (punctuation, emoji) is skipped back to the last letter or digit; with none, the form written.</item>
/// </list>
/// An empty value prints nothing, not even the particle.
/// </remarks>
public static class KoreanParticles
{
    /// <summary>Each particle as (after a final consonant, after a vowel), by either spelling.</summary>
    private static readonly FrozenDictionary<string, (string Consonant, string Vowel)> Pairs = new (string, string)[]
    {
        ("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로"), ("이나", "나"), ("이랑", "랑"), ("아", "야"), ("이에요", "예요"),
    }
        .SelectMany(pair => new[] { KeyValuePair.Create(pair.Item1, pair), KeyValuePair.Create(pair.Item2, pair) })
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The particles that can be written after <c>|</c>, in both spellings.</summary>
    public static IReadOnlyCollection<string> Known => Pairs.Keys;

    public static bool IsKnown(string particle) => Pairs.ContainsKey(particle);

    /// <summary>The value followed by the form of <paramref name="particle"/> its last sound takes; empty for an empty value.</summary>
    public static string Attach(string value, string particle)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(particle);
        if (value.Length == 0)
        {
            return "";
        }

        if (!Pairs.TryGetValue(particle, out var pair))
        {
            return value + particle;
        }

        var ending = EndingOf(value);
        var form = ending switch
        {
            Ending.Vowel => pair.Vowel,
            Ending.Rieul when pair.Consonant == "으로" => pair.Vowel,
            Ending.Consonant or Ending.Rieul => pair.Consonant,
            _ => particle,
        };
        return value + form;
    }

    private enum Ending
    {
        Unknown,
        Vowel,
        Consonant,

        /// <summary>ㄹ: a consonant, except before 으로/로.</summary>
        Rieul,
    }

    private static Ending EndingOf(string value)
    {
        var end = value.Length - 1;
        while (end >= 0 && !IsReadable(value[end]))
        {
            end--;
        }

        if (end < 0)
        {
            return Ending.Unknown;
        }

        var last = value[end];
        if (IsHangulSyllable(last))
        {
            return Syllable(last);
        }

        if (char.IsAsciiDigit(last))
        {
            return Number(value, end);
        }

        var start = end;
        while (start > 0 && char.IsAsciiLetter(value[start - 1]))
        {
            start--;
        }

        var word = value[start..(end + 1)];
        return word.All(char.IsAsciiLetterUpper) ? LetterName(last) : WordEnding(word);
    }

    private static bool IsReadable(char c) => IsHangulSyllable(c) || char.IsAsciiDigit(c) || char.IsAsciiLetter(c);

    private static bool IsHangulSyllable(char c) => c is >= '\uAC00' and <= '\uD7A3';

    /// <summary>The final consonant (종성) of a precomposed syllable: none, ㄹ (index 8) or another.</summary>
    private static Ending Syllable(char syllable) => ((syllable - 0xAC00) % 28) switch
    {
        0 => Ending.Vowel,
        8 => Ending.Rieul,
        _ => Ending.Consonant,
    };

    /// <summary>
    /// How a number read in Korean ends: the last non-zero digit (일 이 삼 …), or the unit of its trailing zeros
    /// (십 백 천, then 만 억 조 경 for every four).
    /// </summary>
    private static Ending Number(string value, int end)
    {
        var start = end;
        while (start > 0 && (char.IsAsciiDigit(value[start - 1]) || value[start - 1] is ',' or '.'))
        {
            start--;
        }

        var number = value[start..(end + 1)].Replace(",", "", StringComparison.Ordinal);
        if (number.Contains('.', StringComparison.Ordinal))
        {
            return Digit(number[^1]); // decimals are read digit by digit: 1.5 → 일 점 오
        }

        var significant = number.TrimStart('0');
        if (significant.Length == 0)
        {
            return Ending.Consonant; // 영
        }

        var zeros = significant.Length - significant.TrimEnd('0').Length;
        return zeros switch
        {
            0 => Digit(significant[^1]),
            < 12 => Ending.Consonant, // 십 백 천, 만, 억
            < 16 => Ending.Vowel, // 조
            _ => Ending.Consonant, // 경
        };
    }

    private static Ending Digit(char digit) => digit switch
    {
        '1' or '7' or '8' => Ending.Rieul, // 일 칠 팔
        '2' or '4' or '5' or '9' => Ending.Vowel, // 이 사 오 구
        _ => Ending.Consonant, // 영 삼 육
    };

    /// <summary>How the Korean name of a capital letter ends: 엘 (ㄹ), 엠 and 엔 (a consonant), every other a vowel.</summary>
    private static Ending LetterName(char letter) => letter switch
    {
        'L' or 'R' => Ending.Rieul, // 엘, 알
        'M' or 'N' => Ending.Consonant, // 엠, 엔
        _ => Ending.Vowel,
    };

    private static Ending WordEnding(string word)
    {
        var lower = word.ToLowerInvariant();
        if (lower.EndsWith("ng", StringComparison.Ordinal))
        {
            return Ending.Consonant;
        }

        return lower[^1] switch
        {
            'l' => Ending.Rieul,
            'm' or 'n' or 'b' or 'c' or 'd' or 'g' or 'k' or 'p' or 't' => Ending.Consonant,
            _ => Ending.Vowel,
        };
    }
}
