using KakaoFlow.Payments;

namespace KakaoFlow.Tests.Payments;

public sealed class CardNumbersTests
{
    [Theory]
    [InlineData("4242 4242 4242 4242", true)]
    [InlineData("4242-4242-4242-4242", true)]
    [InlineData("4000000000000002", true)]
    [InlineData("4000 0000 0000 9995", true)]
    [InlineData("4242 4242 4242 4241", false)]
    [InlineData("0000 0000 0000 0001", false)]
    public void The_luhn_check_digit_decides(string typed, bool valid)
    {
        var digits = CardNumbers.Digits(typed);

        Assert.NotNull(digits);
        Assert.Equal(valid, CardNumbers.PassesLuhn(digits));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242")]
    [InlineData("4242 4242 4242 424a")]
    [InlineData("42424242424242424242")]
    [InlineData(null)]
    public void Anything_but_12_to_19_digits_with_spaces_or_dashes_is_no_number(string? typed) =>
        Assert.Null(CardNumbers.Digits(typed));

    [Theory]
    [InlineData("4242424242424242", "Visa")]
    [InlineData("5555555555554444", "Mastercard")]
    [InlineData("2223003122003222", "Mastercard")]
    [InlineData("378282246310005", "American Express")]
    [InlineData("6011111111111117", "Discover")]
    [InlineData("3530111333300000", "JCB")]
    [InlineData("30569309025904", "Diners Club")]
    [InlineData("6200000000000005", "UnionPay")]
    [InlineData("9400000000000004", "Card")]
    public void Brands_are_written_as_the_networks_write_them(string digits, string brand) =>
        Assert.Equal(brand, CardNumbers.Brand(digits));

    [Theory]
    [InlineData("08/29", 8, 2029)]
    [InlineData("8/29", 8, 2029)]
    [InlineData("0829", 8, 2029)]
    [InlineData(" 12 / 2030 ", 12, 2030)]
    public void Expiry_is_read_as_month_and_year(string text, int month, int year)
    {
        Assert.True(CardNumbers.TryParseExpiry(text, out var m, out var y));
        Assert.Equal((month, year), (m, y));
    }

    [Theory]
    [InlineData("13/29")]
    [InlineData("00/29")]
    [InlineData("08-29")]
    [InlineData("august")]
    [InlineData("")]
    public void A_malformed_expiry_is_refused(string text) => Assert.False(CardNumbers.TryParseExpiry(text, out _, out _));

    [Fact]
    public void A_card_is_good_through_the_last_day_of_its_month_in_Korea()
    {
        // 2026-01-31 23:30 in Seoul is 14:30 UTC: still January there.
        var lastEvening = new DateTimeOffset(2026, 1, 31, 14, 30, 0, TimeSpan.Zero);

        Assert.False(CardNumbers.IsExpired(1, 2026, lastEvening));
        Assert.True(CardNumbers.IsExpired(1, 2026, lastEvening.AddHours(1)));
        Assert.True(CardNumbers.IsExpired(12, 2025, lastEvening));
    }

    [Fact]
    public void Card_details_never_print_the_number()
    {
        var card = new CardDetails("4242424242424242", 12, 2030, "홍길동");

        Assert.Equal("card ****4242", card.ToString());
        Assert.DoesNotContain("4242424242424242", $"{card}", StringComparison.Ordinal);
    }
}
