using System.Globalization;

namespace KakaoFlow.Payments;

/// <summary>
/// What can be checked about a card number without a network: its digits, the Luhn check digit, the card network
/// (brand) from its leading digits, and an expiry written as <c>MM/YY</c>. Never logs or keeps what it is given.
/// </summary>
public static class CardNumbers
{
    /// <summary>The digits of a number typed with optional spaces or dashes; null when anything else is in it or the length is not 12 to 19.</summary>
    public static string? Digits(string? typed)
    {
        if (typed is null)
        {
            return null;
        }

        var digits = new char[typed.Length];
        var count = 0;
        foreach (var c in typed)
        {
            if (c is >= '0' and <= '9')
            {
                digits[count++] = c;
            }
            else if (c is not (' ' or '-'))
            {
                return null;
            }
        }

        return count is >= 12 and <= 19 ? new string(digits, 0, count) : null;
    }

    /// <summary>Whether the last digit is the Luhn check digit of the others.</summary>
    public static bool PassesLuhn(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (d is < 0 or > 9)
            {
                return false;
            }

            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return digits.Length > 0 && sum % 10 == 0;
    }

    /// <summary>The card network as networks write their names (<c>Visa</c>, <c>Mastercard</c>, …); <c>Card</c> when the prefix is not known.</summary>
    public static string Brand(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        int Prefix(int length) => digits.Length >= length ? int.Parse(digits.AsSpan(0, length), CultureInfo.InvariantCulture) : -1;
        var two = Prefix(2);
        var four = Prefix(4);
        var six = Prefix(6);
        return digits switch
        {
            _ when digits.StartsWith('4') => "Visa",
            _ when two is >= 51 and <= 55 || four is >= 2221 and <= 2720 => "Mastercard",
            _ when two is 34 or 37 => "American Express",
            _ when four == 6011 || two == 65 || six is >= 622126 and <= 622925 || Prefix(3) is >= 644 and <= 649 => "Discover",
            _ when four is >= 3528 and <= 3589 => "JCB",
            _ when two is 36 or 38 || Prefix(3) is >= 300 and <= 305 => "Diners Club",
            _ when two == 62 => "UnionPay",
            _ => "Card",
        };
    }

    /// <summary>The last four digits, the only part of a number that is ever kept or shown.</summary>
    public static string Last4(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        return digits.Length >= 4 ? digits[^4..] : digits;
    }

    /// <summary>An expiry written <c>MM/YY</c> (or <c>MMYY</c>, <c>MM/YYYY</c>): its month and four-digit year.</summary>
    public static bool TryParseExpiry(string? text, out int month, out int year)
    {
        month = 0;
        year = 0;
        var parts = (text ?? "").Trim().Replace(" ", "", StringComparison.Ordinal).Split('/');
        string monthText, yearText;
        if (parts.Length == 2)
        {
            (monthText, yearText) = (parts[0], parts[1]);
        }
        else if (parts.Length == 1 && parts[0].Length == 4)
        {
            (monthText, yearText) = (parts[0][..2], parts[0][2..]);
        }
        else
        {
            return false;
        }

        if (monthText.Length is < 1 or > 2 || yearText.Length is not (2 or 4)
            || !int.TryParse(monthText, NumberStyles.None, CultureInfo.InvariantCulture, out month)
            || !int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out year)
            || month is < 1 or > 12)
        {
            return false;
        }

        year = yearText.Length == 2 ? 2000 + year : year;
        return true;
    }

    /// <summary>A card is good through the last day of its expiry month (Korean time).</summary>
    public static bool IsExpired(int month, int year, DateTimeOffset now)
    {
        var seoul = now.ToOffset(TimeSpan.FromHours(9));
        return year < seoul.Year || (year == seoul.Year && month < seoul.Month);
    }
}
