namespace KakaoFlow.Hosting.Payments;

/// <summary>
/// Payments settings (docs/commerce.md), bound from the configuration section <see cref="Section"/>;
/// <c>kakaoflow serve --public-url</c> sets <see cref="PublicUrl"/> and keeps <see cref="SecretFile"/> next to the data file.
/// </summary>
public sealed class KakaoFlowPaymentOptions
{
    public const string Section = "KakaoFlow:Payments";

    /// <summary>
    /// The host's address as customers' phones reach it, the base of <c>pay.registerUrl()</c> links
    /// (<c>https://shop.example.com</c>); null: the first address the host listens on.
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>
    /// The key that signs registration links (at least 32 characters; the same on every host of a deployment); null: one
    /// generated at first start and kept in <see cref="SecretFile"/>, or in the store when several hosts share it (Redis).
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>Where a generated signing key is kept (created with mode 600). Default: <c>kakaoflow.pay-secret</c>.</summary>
    public string SecretFile { get; set; } = PaymentSecretFile.Name;
}
