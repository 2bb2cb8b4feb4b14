using KakaoFlow.Diagnostics;

namespace KakaoFlow.Compiling;

/// <summary>
/// A file of a bot folder that KakaoFlow will not read: it leads outside the folder (KF033) or is over 1 MiB
/// (KF034). Thrown by
/// <see cref="FlowSource.ReadFile"/> and when the flow file itself is read; it says nothing of the file's content.
/// </summary>
public sealed class SourceFileRefusedException : IOException
{
    private readonly DiagnosticDescriptor _descriptor;
    private readonly object?[] _args;

    public SourceFileRefusedException(DiagnosticDescriptor descriptor, params object?[] args)
        : base((descriptor ?? throw new ArgumentNullException(nameof(descriptor))).Create(SourceSpan.StartOf("-"), args).Message)
    {
        _descriptor = descriptor;
        _args = args;
    }

    /// <summary>The refusal as a diagnostic at <paramref name="span"/> (the <c>scripts:</c> entry, or the flow file's start).</summary>
    public Diagnostic At(SourceSpan span) => _descriptor.Create(span, _args);
}
