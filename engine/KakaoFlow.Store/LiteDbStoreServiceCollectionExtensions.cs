using KakaoFlow.Payments;
using KakaoFlow.Storage;
using KakaoFlow.Store;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the LiteDB store and the store interfaces it implements.</summary>
public static class LiteDbStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="LiteDbStore"/> on <paramref name="dataFile"/> as a singleton (opened when first resolved,
    /// disposed with the container: flushed, checkpointed and closed) and <see cref="ISessionStore"/>,
    /// <see cref="IFriendStore"/>, <see cref="IBotDataStore"/>, <see cref="IServiceStore"/> and <see cref="IPaymentStore"/>
    /// resolving to its stores.
    /// The store logs through <see cref="ILogger{LiteDbStore}"/> from the container, when there is one: a journal replay
    /// at open and failed background flushes.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="dataFile">The LiteDB file; its session journal is kept beside it.</param>
    /// <param name="configure">Changes the session store's options (buffering, cache size), which start as the defaults
    /// sized for the memory this process may use (<see cref="SessionStoreOptions.ForThisProcess"/>); called once, now.</param>
    public static IServiceCollection AddLiteDbStore(this IServiceCollection services, string dataFile, Action<SessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataFile);
        var options = SessionStoreOptions.ForThisProcess();
        configure?.Invoke(options);

        services.AddSingleton(provider => new LiteDbStore(dataFile, options, provider.GetService<ILogger<LiteDbStore>>()));
        services.AddSingleton(provider => provider.GetRequiredService<LiteDbStore>().Sessions);
        services.AddSingleton(provider => provider.GetRequiredService<LiteDbStore>().Friends);
        services.AddSingleton<IBotDataStore>(provider => provider.GetRequiredService<LiteDbStore>().BotData);
        services.AddSingleton<IServiceStore>(provider => provider.GetRequiredService<LiteDbStore>().Services);
        services.AddSingleton<IPaymentStore>(provider => provider.GetRequiredService<LiteDbStore>().Payments);
        services.AddSingleton(provider => provider.GetRequiredService<LiteDbStore>().Health);
        return services;
    }
}
