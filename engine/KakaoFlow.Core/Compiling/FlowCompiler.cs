using System.Collections.Immutable;
using System.Globalization;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Model;
using KakaoFlow.Runtime;
using KakaoFlow.Yaml;
using KakaoFlow.Resources;

namespace KakaoFlow.Compiling;

/// <summary>Model → <see cref="CompiledFlow"/> or located diagnostics. Never throws at users.</summary>
public sealed class FlowCompiler(IScriptCompiler? scripts)
{
    public IScriptCompiler? ScriptCompiler { get; } = scripts;

    public FlowCompilation Compile(FlowSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var diagnostics = new DiagnosticBag();
        var document = FlowReader.Read(new YamlSourceText(source.FlowFile, source.Text), diagnostics);
        if (document is null || document.Home is null)
        {
            return new FlowCompilation(null, diagnostics.Sorted());
        }

        var settings = CompileSettings(document, diagnostics);
        var messages = CompileMessages(document, diagnostics);
        CheckStartRequirements(document, diagnostics);

        var program = ScriptCompiler?.CreateProgram(source.BotId, settings.HookLimits);
        var scriptTexts = AddSharedScripts(source, document, program, diagnostics);

        var steps = new StepCompiler(document, program, diagnostics);
        var (home, compiledSteps) = steps.CompileAll();
        new FlowAnalysis(document, home, steps.Compiled, steps.Hooks, steps.BehindErrors, scriptTexts, diagnostics).Run();
        Skill.SkillChecks.Run(document, diagnostics);

        if (diagnostics.HasErrors)
        {
            return new FlowCompilation(null, diagnostics.Sorted());
        }

        var flow = new CompiledFlow(
            source.BotId,
            document.Name?.Value ?? source.BotId,
            FlowSource.VersionOf(source.Text, scriptTexts.Select(s => s.Text)),
            settings,
            messages,
            document.MonitorPhone?.Value,
            document.PrivacyConsent?.Value == true,
            home,
            compiledSteps,
            program?.Build());
        return new FlowCompilation(flow, diagnostics.Sorted());
    }

    private static FlowSettings CompileSettings(FlowDocument document, DiagnosticBag diagnostics)
    {
        var defaults = FlowSettings.Default;
        var limits = HookLimits.Default;

        TimeSpan Duration(string key, TimeSpan fallback)
        {
            if (!document.Settings.TryGetValue(key, out var text))
            {
                return fallback;
            }

            if (Durations.TryParse(text.Value, out var value))
            {
                return value;
            }

            diagnostics.Report(DiagnosticCodes.InvalidDuration, text.Span, text.Value);
            return fallback;
        }

        int Positive(string key, int fallback)
        {
            if (!document.Settings.TryGetValue(key, out var text))
            {
                return fallback;
            }

            if (int.TryParse(text.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                return value;
            }

            diagnostics.Report(DiagnosticCodes.InvalidSetting, text.Span, "settings." + key, Text.Of(Messages.Expect_Positive));
            return fallback;
        }

        var hookLimits = new HookLimits
        {
            Timeout = Duration("hook_timeout", limits.Timeout),
            MaxStatements = Positive("hook_max_statements", limits.MaxStatements),
            MemoryBytes = Positive("hook_memory_mb", (int)(limits.MemoryBytes / (1024 * 1024))) * 1024L * 1024L,
            MaxRecursion = Positive("hook_max_recursion", limits.MaxRecursion),
            DataBytes = Positive("data_limit_mb", (int)(limits.DataBytes / (1024 * 1024))) * 1024L * 1024L,
        };
        if (hookLimits.Timeout > TimeSpan.FromSeconds(4) && document.Settings.TryGetValue("hook_timeout", out var timeout))
        {
            diagnostics.Report(DiagnosticCodes.InvalidSetting, timeout.Span, "settings.hook_timeout", Text.Of(Messages.Expect_HookTimeout));
        }

        return new FlowSettings(
            Duration("context_ttl", defaults.ContextTtl),
            Positive("error_limit_per_day", defaults.ErrorLimitPerDay),
            Duration("retention", defaults.Retention),
            hookLimits);
    }

    private static FlowMessages CompileMessages(FlowDocument document, DiagnosticBag diagnostics)
    {
        var defaults = FlowMessages.Default;

        string Message(string key, string fallback)
        {
            if (!document.Messages.TryGetValue(key, out var text))
            {
                return fallback;
            }

            if (text.Text.Trim().Length == 0)
            {
                diagnostics.Report(DiagnosticCodes.InvalidSetting, text.Span, "messages." + key, Text.Of(Messages.Expect_NonEmptyText));
                return fallback;
            }

            StepCompiler.CheckLength(text, diagnostics);
            return text.Text;
        }

        return new FlowMessages(
            Message("fallback", defaults.Fallback),
            Message("error", defaults.Error),
            Message("stopped", defaults.Stopped),
            Message("home", defaults.Home),
            Message("retry", defaults.Retry),
            Message("changed", defaults.Changed));
    }

    private static void CheckStartRequirements(FlowDocument document, DiagnosticBag diagnostics)
    {
        var top = SourceSpan.StartOf(document.File);
        if (string.IsNullOrWhiteSpace(document.MonitorPhone?.Value))
        {
            diagnostics.Report(DiagnosticCodes.MissingMonitorPhone, document.MonitorPhone?.Span ?? top);
        }

        if (document.PrivacyConsent is not { Value: true })
        {
            diagnostics.Report(DiagnosticCodes.MissingPrivacyConsent, document.PrivacyConsent?.Span ?? top);
        }
    }

    private static ImmutableArray<SourceText> AddSharedScripts(FlowSource source, FlowDocument document, IScriptProgramBuilder? program, DiagnosticBag diagnostics)
    {
        var texts = ImmutableArray.CreateBuilder<SourceText>();
        foreach (var file in document.Scripts)
        {
            string? text;
            try
            {
                text = source.ReadFile(file.Value);
            }
            catch (SourceFileRefusedException refused)
            {
                diagnostics.Add(refused.At(file.Span));
                continue;
            }

            if (text is null)
            {
                diagnostics.Report(DiagnosticCodes.ScriptFileMissing, file.Span, file.Value);
                continue;
            }

            var path = source.PathOf(file.Value);
            var script = new SourceText(text, new SourceSpan(path, 1, 1), new ContentOrigin(path, 1, 1, IsBlock: true));
            texts.Add(script);
            if (program is null)
            {
                diagnostics.Report(DiagnosticCodes.ScriptsUnavailable, file.Span);
                continue;
            }

            program.AddSharedScript(script, diagnostics);
        }

        return texts.ToImmutable();
    }
}
