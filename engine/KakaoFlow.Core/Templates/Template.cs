using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using KakaoFlow.Runtime;

namespace KakaoFlow.Templates;

/// <summary>
/// A reply text with <c>{{name}}</c> placeholders, parsed once. Rendering fills each from the session's
/// variables (<see cref="FlowValues.Print"/>): numbers without <c>.0</c>, a missing variable as empty.
/// <c>{{name|을}}</c> adds the particle in the form the value takes (<see cref="KoreanParticles"/>).
/// </summary>
public sealed class Template
{
    private readonly ImmutableArray<Segment> _segments;

    private Template(string source, ImmutableArray<Segment> segments)
    {
        Source = source;
        _segments = segments;
    }

    public string Source { get; }

    /// <summary>Every variable name the template reads, with its offset in <see cref="Source"/>.</summary>
    public IEnumerable<(string Name, int Offset)> Variables =>
        _segments.Where(s => s.IsVariable).Select(s => (s.Text, s.Offset));

    /// <summary>Every particle written after <c>|</c> in a placeholder, with the placeholder's offset.</summary>
    public IEnumerable<(string Particle, int Offset)> Particles =>
        _segments.Where(s => s.Particle is not null).Select(s => (s.Particle!, s.Offset));

    public bool IsConstant => _segments.All(s => !s.IsVariable);

    public static Template Parse(string source)
    {
        var segments = ImmutableArray.CreateBuilder<Segment>();
        var position = 0;
        while (position < source.Length)
        {
            var open = source.IndexOf("{{", position, StringComparison.Ordinal);
            var close = open < 0 ? -1 : source.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (open < 0 || close < 0)
            {
                segments.Add(new Segment(source[position..], position, false));
                break;
            }

            if (open > position)
            {
                segments.Add(new Segment(source[position..open], position, false));
            }

            var inside = source[(open + 2)..close];
            var bar = inside.IndexOf('|', StringComparison.Ordinal);
            var name = (bar < 0 ? inside : inside[..bar]).Trim();
            var particle = bar < 0 ? null : inside[(bar + 1)..].Trim();
            segments.Add(name.Length == 0 ? new Segment(source[open..(close + 2)], open, false) : new Segment(name, open, true, particle));
            position = close + 2;
        }

        return new Template(source, segments.ToImmutable());
    }

    public string Render(IReadOnlyDictionary<string, JsonElement> vars)
    {
        if (IsConstant)
        {
            return Source;
        }

        var builder = new StringBuilder(Source.Length + 16);
        foreach (var segment in _segments)
        {
            builder.Append(segment.IsVariable ? Print(segment, vars) : segment.Text);
        }

        return builder.ToString();
    }

    private static string Print(Segment placeholder, IReadOnlyDictionary<string, JsonElement> vars)
    {
        var value = FlowValues.Print(Lookup(vars, placeholder.Text));
        return placeholder.Particle is { } particle ? KoreanParticles.Attach(value, particle) : value;
    }

    /// <summary><c>{{a}}</c> reads a variable; <c>{{a.b}}</c> reads a field of an object variable.</summary>
    private static JsonElement? Lookup(IReadOnlyDictionary<string, JsonElement> vars, string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return vars.TryGetValue(path, out var value) ? value : null;
        }

        if (!vars.TryGetValue(path[..dot], out var current))
        {
            return null;
        }

        foreach (var part in path[(dot + 1)..].Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    public override string ToString() => Source;

    private readonly record struct Segment(string Text, int Offset, bool IsVariable, string? Particle = null);
}
