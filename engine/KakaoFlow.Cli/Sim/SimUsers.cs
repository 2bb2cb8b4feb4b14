using System.Collections.Concurrent;
using System.Diagnostics;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Cli.Sim;

/// <summary>
/// The simulator's own users, bot data, cards and payments, in memory only: nothing here touches a <c>serve</c> data file, and all of
/// it is gone when the simulator stops. A page names its user with an id it keeps for the browser tab.
/// </summary>
internal sealed class SimUsers(DateTimeOffset clockStart, SimPayments payments)
{
    /// <summary>Past this many users (tabs, resets by tests) the least recently used one is forgotten.</summary>
    public const int MaxUsers = 200;

    private readonly ConcurrentDictionary<(string Bot, string User), SimUser> _users = new();

    /// <summary><c>data</c> in hooks: one store per simulator, shared by its users as a bot's users share it in <c>serve</c>.</summary>
    public IBotDataStore Data { get; } = new InMemoryBotDataStore();

    /// <summary><c>pay</c> in hooks: cards and payments in memory, the sandbox gateway, the registration page served here.</summary>
    public SimPayments Payments { get; } = payments;

    /// <summary>A page's user id: 1 to 64 letters, digits, '-' or '_'.</summary>
    public static bool IsValidId(string? user) =>
        user is { Length: > 0 and <= 64 } && user.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public SimUser Get(string botId, string user)
    {
        var found = _users.GetOrAdd((botId, user), _ => new SimUser(user, clockStart));
        found.LastUsed = Stopwatch.GetTimestamp();
        if (_users.Count > MaxUsers)
        {
            var oldest = _users.MinBy(pair => pair.Value.LastUsed).Key;
            if (oldest != (botId, user))
            {
                _users.TryRemove(oldest, out _);
            }
        }

        return found;
    }
}
