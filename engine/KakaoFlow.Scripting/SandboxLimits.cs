using KakaoFlow.Hooks;

namespace KakaoFlow.Scripting;

/// <summary>
/// The effective limits of one program: <see cref="HookLimits"/> with defaults filled in, plus the limits that
/// are not owner settings (array size, regular-expression time, value sizes).
/// </summary>
internal sealed record SandboxLimits(
    TimeSpan Timeout,
    int MaxStatements,
    long MemoryBytes,
    int MaxRecursion,
    TimeSpan RegexTimeout,
    long DataBytes)
{
    /// <summary>Largest array a script may create. Hooks handle menus and orders, not data sets.</summary>
    public const uint MaxArraySize = 100_000;

    /// <summary>Largest string <c>repeat</c> may build; a single built-in call is not interrupted by the memory limit.</summary>
    public const int MaxStringLength = 1_000_000;

    /// <summary>Largest JSON form of one variable or one <c>data</c> value, and of all variables together.</summary>
    public const int MaxValueBytes = 256 * 1024;

    /// <summary>Deepest nesting of objects and arrays in a stored value.</summary>
    public const int MaxValueDepth = 32;

    /// <summary><c>log(...)</c> calls kept per run, and characters kept per message.</summary>
    public const int MaxLogCalls = 20;
    public const int MaxLogLength = 1000;

    public const int MaxButtons = 100;

    /// <summary>No hook runs longer than this, whatever the settings say (Kakao gives the whole answer 5 s).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(30);
    public const int MaxKeyLength = 200;

    public static SandboxLimits From(HookLimits limits)
    {
        var defaults = HookLimits.Default;
        var timeout = limits.Timeout > TimeSpan.Zero ? limits.Timeout : defaults.Timeout;
        if (timeout > MaxTimeout)
        {
            timeout = MaxTimeout;
        }

        // A catastrophic regular expression runs inside .NET's regex engine, where no statement check can stop
        // it; only its own timeout can. Keep it well under the hook's wall-clock limit.
        var regex = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromMilliseconds(250).Ticks));

        return new SandboxLimits(
            timeout,
            limits.MaxStatements > 0 ? limits.MaxStatements : defaults.MaxStatements,
            limits.MemoryBytes > 0 ? limits.MemoryBytes : defaults.MemoryBytes,
            limits.MaxRecursion > 0 ? limits.MaxRecursion : defaults.MaxRecursion,
            regex,
            limits.DataBytes > 0 ? limits.DataBytes : defaults.DataBytes);
    }
}
