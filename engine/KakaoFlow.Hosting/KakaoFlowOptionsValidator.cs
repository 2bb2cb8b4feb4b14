using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting;

/// <summary>Refuses settings the host cannot run with; runs once when the host starts.</summary>
internal sealed class KakaoFlowOptionsValidator : IValidateOptions<KakaoFlowOptions>
{
    public ValidateOptionsResult Validate(string? name, KakaoFlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckServing(options, failures);
        CheckWatching(options, failures);
        CheckMonitoring(options, failures);
        CheckSecrets(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckServing(KakaoFlowOptions options, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(options.FlowsDirectory))
        {
            failures.Add("FlowsDirectory must name a folder.");
        }

        if (options.ReplyTimeout <= TimeSpan.Zero || options.ReplyTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"ReplyTimeout must be positive and at most a minute, not {options.ReplyTimeout}.");
        }

        if (options.SweepInterval != Timeout.InfiniteTimeSpan
            && (options.SweepInterval <= TimeSpan.Zero || options.SweepInterval > TimeSpan.FromDays(49)))
        {
            failures.Add($"SweepInterval must be positive and at most 49 days, or infinite, not {options.SweepInterval}.");
        }

        if (options.IdleTrimAfter != Timeout.InfiniteTimeSpan && options.IdleTrimAfter != TimeSpan.Zero
            && (options.IdleTrimAfter < TimeSpan.FromSeconds(1) || options.IdleTrimAfter > TimeSpan.FromDays(1)))
        {
            failures.Add($"IdleTrimAfter must be between a second and a day, or zero (never), not {options.IdleTrimAfter}.");
        }

        if (options.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"MaxBodyBytes must be between 1 KiB and 16 MiB, not {options.MaxBodyBytes}.");
        }

        if (options.MaxConnections < 1)
        {
            failures.Add($"MaxConnections must be at least 1, not {options.MaxConnections}.");
        }
    }

    private static void CheckWatching(KakaoFlowOptions options, List<string> failures)
    {
        if (options.WatchDebounce < TimeSpan.Zero || options.WatchDebounce > TimeSpan.FromSeconds(10))
        {
            failures.Add($"WatchDebounce must be between 0 and 10 seconds, not {options.WatchDebounce}.");
        }

        if (options.WatchPollInterval <= TimeSpan.Zero || options.WatchPollInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"WatchPollInterval must be positive and at most a day, not {options.WatchPollInterval}.");
        }
    }

    private static void CheckMonitoring(KakaoFlowOptions options, List<string> failures)
    {
        if (options.NotifyUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            failures.Add($"NotifyUrl must be an absolute http or https URL, not '{url}'.");
        }

        if (options.NotifyRetryDelay <= TimeSpan.Zero || options.NotifyMaxRetryDelay < options.NotifyRetryDelay
            || options.NotifyPollInterval <= TimeSpan.Zero)
        {
            failures.Add("NotifyRetryDelay and NotifyPollInterval must be positive, and NotifyMaxRetryDelay at least NotifyRetryDelay.");
        }

        if (options.ErrorsPerUserPerDay < 1)
        {
            failures.Add($"ErrorsPerUserPerDay must be at least 1, not {options.ErrorsPerUserPerDay}.");
        }

        if (options.RecentErrorsKept is < 1 or > 10_000)
        {
            failures.Add($"RecentErrorsKept must be between 1 and 10000, not {options.RecentErrorsKept}.");
        }
    }

    private static void CheckSecrets(KakaoFlowOptions options, List<string> failures)
    {
        // A header value: printable ASCII only, no spaces.
        if (options.WebhookSecret is { } secret && (secret.Length < 16 || secret.Any(c => c is < '!' or > '~')))
        {
            failures.Add("WebhookSecret must be at least 16 printable ASCII characters without spaces.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminTokenFile))
        {
            failures.Add("AdminTokenFile must name a file.");
        }
    }
}
