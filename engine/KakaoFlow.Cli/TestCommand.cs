using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Scenarios;
using KakaoFlow.Yaml;

namespace KakaoFlow.Cli;

/// <summary>
/// <c>kakaoflow test [PATH...] [--accept]</c>: plays every scenario in <c>&lt;bot&gt;/tests/*.yaml</c> and compares its
/// transcript with the committed <c>NAME.verified.txt</c> beside it (the Verify file convention). A mismatch or a
/// missing snapshot writes <c>NAME.received.txt</c>; <c>--accept</c> makes the new transcript the verified one.
/// </summary>
public static partial class TestCommand
{
    public const string TestsFolder = "tests";
    public const string VerifiedSuffix = ".verified.txt";
    public const string ReceivedSuffix = ".received.txt";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    [GeneratedRegex(@"^\[(start|\d+)\] (.*)$")]
    private static partial Regex TurnHeading();

    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var paths = CommandLine.PathsArgument("a scenario, a bot folder, or a folder of bots (default: flows)");
        var accept = new Option<bool>("--accept") { Description = "store the new transcripts as verified" };
        var command = new Command("test", "Play the scenarios in <bot>/tests/*.yaml and compare each transcript with its .verified.txt.")
        {
            paths,
            accept,
        };
        command.SetAction(parse => Run(parse.GetValue(paths) ?? [], parse.GetValue(accept), io.Out, io.Error, io.Terminal));
        return command;
    }

    public static int Run(IReadOnlyList<string> paths, bool accept, TextWriter stdout, TextWriter stderr, Terminal terminal)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(terminal);
        var bots = new List<BotScenarios>();
        foreach (var path in paths.Count > 0 ? paths : ["flows"])
        {
            var found = Find(path);
            if (found is null)
            {
                stderr.WriteLine(Messages.Format(CliMessages.Test_NotAScenario, path));
                return CommandLine.Usage;
            }

            foreach (var bot in found)
            {
                var same = bots.FindIndex(b => Path.GetFullPath(b.Folder) == Path.GetFullPath(bot.Folder));
                if (same < 0)
                {
                    bots.Add(bot);
                }
                else
                {
                    bots[same] = bots[same] with { Scenarios = [.. bots[same].Scenarios.Union(bot.Scenarios)] };
                }
            }
        }

        var run = new TestRun(stdout, terminal, accept, new FlowCompiler(ScriptEngine.CreateCompiler()));
        foreach (var bot in bots)
        {
            run.Bot(bot);
        }

        return run.Finish();
    }

    /// <summary>A bot folder and the scenario files to play in it.</summary>
    internal sealed record BotScenarios(string Folder, IReadOnlyList<string> Scenarios)
    {
        public string FlowFile => Path.Combine(Folder, FlowSource.FlowFileName);
    }

    /// <summary>
    /// What a command-line path names: a scenario file (its bot is the folder above <c>tests/</c>), a bot's
    /// <c>tests/</c> folder, a bot folder or its flow.yaml (all its scenarios), or a folder of bots. Null when none.
    /// </summary>
    internal static IReadOnlyList<BotScenarios>? Find(string path)
    {
        if (File.Exists(path))
        {
            var folder = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
            if (Path.GetFileName(path) == FlowSource.FlowFileName)
            {
                return [new BotScenarios(folder, ScenariosIn(folder))];
            }

            return path.EndsWith(".yaml", StringComparison.Ordinal) && OwnerOfTests(folder) is { } bot
                ? [new BotScenarios(bot, [path])]
                : null;
        }

        if (!Directory.Exists(path))
        {
            return null;
        }

        if (IsBot(path))
        {
            return [new BotScenarios(path, ScenariosIn(path))];
        }

        if (OwnerOfTests(path) is { } owner)
        {
            return [new BotScenarios(owner, ScenariosIn(owner))];
        }

        var bots = Directory.GetDirectories(path)
            .Order(StringComparer.Ordinal)
            .Where(IsBot)
            .Select(folder => new BotScenarios(folder, ScenariosIn(folder)))
            .ToList();
        return bots.Count > 0 ? bots : null;
    }

    /// <summary>The bot folder above a <c>tests/</c> folder, written the way the user wrote the path; null when it is not one.</summary>
    private static string? OwnerOfTests(string testsFolder)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(testsFolder));
        if (Path.GetFileName(full) != TestsFolder || Path.GetDirectoryName(full) is not { } owner || !IsBot(owner))
        {
            return null;
        }

        if (Path.IsPathRooted(testsFolder))
        {
            return owner;
        }

        var relative = Path.GetRelativePath(Environment.CurrentDirectory, owner);
        return relative.Length > 0 ? relative : ".";
    }

    private static bool IsBot(string folder) => File.Exists(Path.Combine(folder, FlowSource.FlowFileName));

    private static IReadOnlyList<string> ScenariosIn(string botFolder)
    {
        var tests = Path.Combine(botFolder, TestsFolder);
        return Directory.Exists(tests)
            ? [.. Directory.GetFiles(tests, "*.yaml").Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>Reads a scenario file from disk; a file that cannot be read is a diagnostic (KF042), not an exception.</summary>
    internal static Scenario? ReadScenario(string file, DiagnosticBag diagnostics)
    {
        try
        {
            return ScenarioReader.Read(new YamlSourceText(file, File.ReadAllText(file, Encoding.UTF8)), diagnostics);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Report(DiagnosticCodes.ScenarioFileUnreadable, SourceSpan.StartOf(file), ex.Message);
            return null;
        }
    }

    public static string VerifiedFileOf(string scenarioFile) => Path.ChangeExtension(scenarioFile, null) + VerifiedSuffix;

    public static string ReceivedFileOf(string scenarioFile) => Path.ChangeExtension(scenarioFile, null) + ReceivedSuffix;

    /// <summary>One <c>kakaoflow test</c> run: plays scenarios, prints a line for each, counts outcomes.</summary>
    private sealed class TestRun(TextWriter stdout, Terminal terminal, bool accept, FlowCompiler compiler)
    {
        /// <summary>Where a scenario's name starts on its line, and how far its follow-up lines are indented.</summary>
        private const string Indent = "         ";

        private int _passed;
        private int _failed;
        private int _new;
        private int _accepted;

        public void Bot(BotScenarios bot)
        {
            ReportOrphans(bot.Folder);
            if (bot.Scenarios.Count == 0)
            {
                stdout.WriteLine(terminal.Yellow(Messages.Format(CliMessages.Test_NoScenarios, Path.Combine(bot.Folder, TestsFolder))));
                return;
            }

            var compilation = FlowLocator.Compile(compiler, bot.FlowFile);
            if (compilation.Flow is not { } flow)
            {
                foreach (var diagnostic in compilation.Diagnostics.Where(d => d.IsError))
                {
                    stdout.WriteLine(CheckCommand.FormatLine(diagnostic, terminal));
                }

                foreach (var scenario in bot.Scenarios)
                {
                    Fail(scenario, CliMessages.Test_FlowHasErrors);
                }

                return;
            }

            var runner = new ScenarioRunner(flow, bot.Folder);
            foreach (var file in bot.Scenarios)
            {
                Scenario(file, flow, runner);
            }
        }

        private void Scenario(string file, CompiledFlow flow, ScenarioRunner runner)
        {
            var diagnostics = new DiagnosticBag();
            var scenario = ReadScenario(file, diagnostics);
            if (scenario is not null)
            {
                diagnostics.AddRange(ScenarioRunner.Check(flow, scenario));
            }

            if (scenario is null || diagnostics.HasErrors)
            {
                foreach (var diagnostic in diagnostics.Sorted())
                {
                    stdout.WriteLine(CheckCommand.FormatLine(diagnostic, terminal));
                }

                Fail(file, CliMessages.Test_ScenarioHasErrors);
                return;
            }

            var transcript = runner.Run(scenario);
            var verifiedFile = VerifiedFileOf(file);
            var receivedFile = ReceivedFileOf(file);
            var verified = File.Exists(verifiedFile) ? File.ReadAllText(verifiedFile, Encoding.UTF8).ReplaceLineEndings("\n") : null;
            var title = $"{file} ({scenario.Name})";

            if (verified == transcript)
            {
                File.Delete(receivedFile);
                _passed++;
                stdout.WriteLine(Status(CliMessages.Test_Status_Ok, terminal.Green) + title);
                return;
            }

            if (accept)
            {
                File.WriteAllText(verifiedFile, transcript, Utf8);
                File.Delete(receivedFile);
                _accepted++;
                stdout.WriteLine(Status(CliMessages.Test_Status_Accepted, terminal.Cyan) + Messages.Format(CliMessages.Test_AcceptedInto, title, verifiedFile));
                return;
            }

            File.WriteAllText(receivedFile, transcript, Utf8);
            if (verified is null)
            {
                _new++;
                stdout.WriteLine(Status(CliMessages.Test_Status_New, terminal.Yellow) + Messages.Format(CliMessages.Test_NewScenario, title, Path.GetFileName(verifiedFile), receivedFile));
                stdout.WriteLine(Indent + Messages.Format(CliMessages.Test_NewScenarioHint, file));
                return;
            }

            var before = Lines(verified);
            var after = Lines(transcript);
            var edits = LineDiff.Compute(before, after);
            _failed++;
            stdout.WriteLine(Status(CliMessages.Test_Status_Failed, terminal.Red) + $"{title}: {FirstDifference(edits, before, after, scenario)}");
            foreach (var line in LineDiff.Unified(edits, verifiedFile, receivedFile))
            {
                stdout.WriteLine(Paint(line));
            }

            stdout.WriteLine(Indent + Messages.Format(CliMessages.Test_FailedHint, receivedFile, file));
        }

        private void Fail(string file, string why)
        {
            _failed++;
            stdout.WriteLine(Status(CliMessages.Test_Status_Failed, terminal.Red) + $"{file}: {why}");
        }

        /// <summary>The outcome word, painted, then spaces to the column where the scenario starts (Hangul takes two).</summary>
        private static string Status(string word, Func<string, string> paint) =>
            paint(word) + new string(' ', Math.Max(1, Indent.Length - Admin.TextTable.Width(word)));

        /// <summary>A verified snapshot whose scenario is gone is dead weight; say so (it does not fail the run).</summary>
        private void ReportOrphans(string botFolder)
        {
            var tests = Path.Combine(botFolder, TestsFolder);
            if (!Directory.Exists(tests))
            {
                return;
            }

            foreach (var verified in Directory.GetFiles(tests, "*" + VerifiedSuffix).Order(StringComparer.Ordinal))
            {
                var scenario = verified[..^VerifiedSuffix.Length] + ".yaml";
                if (!File.Exists(scenario))
                {
                    stdout.WriteLine(terminal.Yellow(Messages.Format(CliMessages.Test_Orphan, verified, Path.GetFileName(scenario))));
                }
            }
        }

        private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

        private string Paint(string line) => line switch
        {
            _ when line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("+++", StringComparison.Ordinal) => terminal.Bold(line),
            _ when line.StartsWith("@@", StringComparison.Ordinal) => terminal.Cyan(line),
            _ when line.StartsWith('-') => terminal.Red(line),
            _ when line.StartsWith('+') => terminal.Green(line),
            _ => line,
        };

        /// <summary>Names the turn whose transcript block holds the first changed line, and its line in the scenario.</summary>
        private static string FirstDifference(IReadOnlyList<LineDiff.Edit> edits, string[] before, string[] after, Scenario scenario)
        {
            var edit = edits.First(e => e.Kind != LineDiff.Kind.Same);
            var (lines, index) = edit.Kind == LineDiff.Kind.Removed ? (before, edit.OldIndex) : (after, edit.NewIndex);
            for (var i = Math.Min(index, lines.Length - 1); i >= 0; i--)
            {
                var heading = TurnHeading().Match(lines[i]);
                if (!heading.Success)
                {
                    continue;
                }

                if (heading.Groups[1].Value == "start")
                {
                    var at = scenario.Start is { } start ? Messages.Format(CliMessages.Test_ScenarioLine, start.Span.Line) : "";
                    return Messages.Format(CliMessages.Test_DiffAtStart, heading.Groups[2].Value, at);
                }

                var number = int.Parse(heading.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                var line = number <= scenario.Turns.Length ? Messages.Format(CliMessages.Test_ScenarioLine, scenario.Turns[number - 1].Span.Line) : "";
                return Messages.Format(CliMessages.Test_DiffAtTurn, number, heading.Groups[2].Value, line);
            }

            return CliMessages.Test_DiffInHeader;
        }

        public int Finish()
        {
            var total = _passed + _failed + _new + _accepted;
            if (total == 0)
            {
                stdout.WriteLine(terminal.Red(CliMessages.Test_NoneFound));
                return CommandLine.Failure;
            }

            var parts = new List<string> { Messages.Format(CliMessages.Test_Passed, _passed) };
            if (_failed > 0)
            {
                parts.Add(Messages.Format(CliMessages.Test_Failed, _failed));
            }

            if (_new > 0)
            {
                parts.Add(Messages.Format(CliMessages.Test_New, _new));
            }

            if (_accepted > 0)
            {
                parts.Add(Messages.Format(CliMessages.Test_Accepted, _accepted));
            }

            var summary = Messages.Format(
                CliMessages.Test_Summary,
                Messages.Count(total, CliMessages.Count_Scenarios_One, CliMessages.Count_Scenarios_Other),
                string.Join(CliMessages.List_Separator, parts));
            var failed = _failed + _new > 0;
            stdout.WriteLine(failed ? terminal.Red(summary) : terminal.Green(summary));
            return failed ? CommandLine.Failure : CommandLine.Ok;
        }
    }
}
