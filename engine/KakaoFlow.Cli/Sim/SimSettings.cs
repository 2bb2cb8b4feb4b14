using System.Globalization;
using KakaoFlow.Cli.Language;
using KakaoFlow.Hooks;
using KakaoFlow.Scenarios;

namespace KakaoFlow.Cli.Sim;

/// <summary>What <c>kakaoflow sim</c> was asked for.</summary>
public sealed record SimSettings
{
    /// <summary>Loopback only: the simulator runs hooks for whoever can reach it, so it is for the editor's own machine.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5090";

    public const string DefaultFlowsDirectory = "flows";

    public string FlowsDirectory { get; init; } = DefaultFlowsDirectory;

    public string Urls { get; init; } = DefaultUrls;

    /// <summary>The page's language and what the simulator says on it (<c>ko</c> or <c>en</c>); the command passes its own.</summary>
    public CultureInfo Language { get; init; } = CliLanguage.EnglishCulture;

    /// <summary>Where every simulated user's clock starts; it moves only with the page's clock buttons.</summary>
    public DateTimeOffset ClockStart { get; init; } = ScenarioRunner.ClockStart;

    /// <summary>The JavaScript engine; null: the one every command uses (<see cref="ScriptEngine"/>).</summary>
    public IScriptCompiler? Scripts { get; init; }

    /// <summary>How often every bot folder is looked at besides file events (a lost event is found within this).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
