using KakaoFlow.Payments;
using KakaoFlow.Storage;
using KakaoFlow.Store.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis store, the store interfaces it implements and its host coordination.</summary>
public static class RedisStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="RedisStore"/> as a singleton (connected when first resolved, disconnected with the
    /// container) and <see cref="ISessionStore"/>, <see cref="IFriendStore"/>, <see cref="IBotDataStore"/>,
    /// <see cref="IServiceStore"/>, <see cref="IPaymentStore"/>, <see cref="IHostCoordination"/> and <see cref="IStoreHealth"/> resolving to it and its
    /// parts, replacing the single-host coordination and the always-available health <c>AddKakaoFlow</c> registers. No
    /// file is opened.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="options">The server and the waits; see <see cref="RedisStoreOptions.FromUrl"/>.</param>
    public static IServiceCollection AddRedisStore(this IServiceCollection services, RedisStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(provider => new RedisStore(options, provider.GetService<ILogger<RedisStore>>(), provider.GetService<TimeProvider>()));
        services.AddSingleton(provider => provider.GetRequiredService<RedisStore>().Sessions);
        services.AddSingleton(provider => provider.GetRequiredService<RedisStore>().Friends);
        services.AddSingleton<IBotDataStore>(provider => provider.GetRequiredService<RedisStore>().BotData);
        services.AddSingleton(provider => provider.GetRequiredService<RedisStore>().Services);
        services.AddSingleton<IPaymentStore>(provider => provider.GetRequiredService<RedisStore>().Payments);
        services.Replace(ServiceDescriptor.Singleton<IHostCoordination>(provider => provider.GetRequiredService<RedisStore>().Coordination));
        services.Replace(ServiceDescriptor.Singleton<IStoreHealth>(provider => provider.GetRequiredService<RedisStore>()));
        return services;
    }

    /// <summary>Registers the Redis store at <paramref name="url"/>: <c>redis://HOST:PORT[/DB]</c>.</summary>
    /// <exception cref="FormatException">Not such a URL.</exception>
    public static IServiceCollection AddRedisStore(this IServiceCollection services, string url) =>
        services.AddRedisStore(RedisStoreOptions.FromUrl(url));
}
