using KakaoFlow.Hooks;
using KakaoFlow.Hosting;
using KakaoFlow.Hosting.Admin;
using KakaoFlow.Hosting.Payments;
using KakaoFlow.Store;
using KakaoFlow.Store.Redis;

namespace KakaoFlow.Cli.Serve;

/// <summary>What <c>kakaoflow serve</c> was asked for on its command line (and in <c>KAKAOFLOW_*</c> variables).</summary>
public sealed record ServeSettings
{
    public const string DefaultUrls = "http://127.0.0.1:5080";
    public const string DefaultFlowsDirectory = "flows";
    public const string DefaultDataFile = "kakaoflow.litedb";

    public string FlowsDirectory { get; init; } = DefaultFlowsDirectory;

    /// <summary>The LiteDB file; its session journal and a generated admin token are kept beside it.</summary>
    public string DataFile { get; init; } = DefaultDataFile;

    /// <summary>
    /// The Redis server that keeps every piece of state, shared with the other hosts serving the same bots (no LiteDB
    /// file is opened); null: the LiteDB file <see cref="DataFile"/> (docs/scale-out.md).
    /// </summary>
    public RedisStoreOptions? Redis { get; init; }

    /// <summary>When a turn of the LiteDB store is answered: its session handed to the OS, or fsync'd (docs/operations.md, "Durability").</summary>
    public SessionDurability Durability { get; init; } = SessionDurability.Os;

    /// <summary>Kestrel addresses, separated by <c>;</c>. Port 0 picks a free port.</summary>
    public string Urls { get; init; } = DefaultUrls;

    public bool JsonLogs { get; init; }

    public bool Watch { get; init; } = true;

    public Uri? NotifyUrl { get; init; }

    /// <summary>The base of card registration links (<c>pay.registerUrl()</c>); null: the first of <see cref="Urls"/> as bound.</summary>
    public Uri? PublicUrl { get; init; }

    public string? AdminToken { get; init; }

    public string? OperatorToken { get; init; }

    /// <summary>The shared secret every webhook call must carry (<c>X-KakaoFlow-Secret</c>); null: none.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>The JavaScript engine for hooks and checks; null compiles only flows without scripts.</summary>
    public IScriptCompiler? Scripts { get; init; }

    /// <summary>
    /// The settings as configuration entries of <see cref="KakaoFlowOptions"/> (section <c>KakaoFlow</c>); unset ones
    /// are left out, so that other sources (e.g. <c>KakaoFlow__ErrorsPerUserPerDay</c> in the environment) still apply.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration() => Entries().Where(entry => entry.Value is not null);

    private IEnumerable<KeyValuePair<string, string?>> Entries()
    {
        static KeyValuePair<string, string?> Entry(string key, string? value) => new($"{KakaoFlowOptions.Section}:{key}", value);
        yield return Entry(nameof(KakaoFlowOptions.FlowsDirectory), FlowsDirectory);
        yield return Entry(nameof(KakaoFlowOptions.Watch), Watch ? "true" : "false");
        yield return Entry(nameof(KakaoFlowOptions.AdminTokenFile), AdminTokenFile.NextTo(DataFile));
        yield return Entry(nameof(KakaoFlowOptions.NotifyUrl), NotifyUrl?.ToString());
        yield return Entry(nameof(KakaoFlowOptions.AdminToken), AdminToken);
        yield return Entry(nameof(KakaoFlowOptions.OperatorToken), OperatorToken);
        yield return Entry(nameof(KakaoFlowOptions.WebhookSecret), WebhookSecret);
        yield return new($"{KakaoFlowPaymentOptions.Section}:{nameof(KakaoFlowPaymentOptions.SecretFile)}", PaymentSecretFile.NextTo(DataFile));
        yield return new($"{KakaoFlowPaymentOptions.Section}:{nameof(KakaoFlowPaymentOptions.PublicUrl)}", PublicUrl?.ToString());
    }
}
