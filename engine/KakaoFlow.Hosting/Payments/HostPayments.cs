using KakaoFlow.Payments;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting.Payments;

/// <summary>
/// The host's <see cref="PaymentService"/>: the app's <see cref="IPaymentStore"/> (from its store's <c>Add…Store</c>),
/// an <see cref="ICardGateway"/> (the <see cref="SandboxGateway"/> unless the app registers another), links signed with
/// the host's secret (configured, kept by a store shared by several hosts, or in a file) and based on <see cref="KakaoFlowPaymentOptions.PublicUrl"/>. Without a payment store there are
/// no payments: <see cref="Service"/> is null and <c>pay</c> in hooks throws.
/// </summary>
internal sealed class HostPayments
{
    private HostPayments(PaymentService? service) => Service = service;

    public PaymentService? Service { get; }

    public static void Register(IServiceCollection services)
    {
        services.AddOptions<KakaoFlowPaymentOptions>().BindConfiguration(KakaoFlowPaymentOptions.Section);
        services.TryAddSingleton<ICardGateway, SandboxGateway>();
        services.AddSingleton(Create);
    }

    private static HostPayments Create(IServiceProvider provider)
    {
        if (provider.GetService<IPaymentStore>() is not { } store)
        {
            return new HostPayments(null);
        }

        var options = provider.GetRequiredService<IOptions<KakaoFlowPaymentOptions>>().Value;
        var tokens = Tokens(options, store);
        var server = provider.GetService<IServer>();
        return new HostPayments(new PaymentService(store, provider.GetRequiredService<ICardGateway>(), tokens, () => options.PublicUrl ?? Listening(server)));
    }

    /// <summary>
    /// Links signed with the configured secret, else with the one a shared store keeps for every host on it (so each
    /// accepts the others' links), else with the one in the secret file.
    /// </summary>
    private static RegistrationTokens Tokens(KakaoFlowPaymentOptions options, IPaymentStore store) =>
        string.IsNullOrWhiteSpace(options.Secret) && store is ISharedPaymentStore shared
            ? new RegistrationTokens(shared.LinkSecret)
            : new RegistrationTokens(PaymentSecretFile.Load(options.Secret, options.SecretFile));

    /// <summary>The first address the host listens on (known once it listens: a port 0 has become the real port by then).</summary>
    private static Uri Listening(IServer? server)
    {
        var first = server?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return first is not null && Uri.TryCreate(first.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var url)
            ? url
            : new Uri("http://localhost/");
    }
}
