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

    private Template(string source, ImmutableArray<Segment> segments, ImmutableArray<int> unclosed)
    {
        Source = source;
        _segments = segments;
        Unclosed = unclosed;
    }

    public string Source { get; }

    /// <summary>Every variable name the template reads, with its offset in <see cref="Source"/>.</summary>
    public IEnumerable<(string Name, int Offset)> Variables =>
        _segments.Where(s => s.IsVariable).Select(s => (s.Text, s.Offset));

    /// <summary>Every particle written after <c>|</c> in a placeholder, with the placeholder's offset.</summary>
    public IEnumerable<(string Particle, int Offset)> Particles =>
        _segments.Where(s => s.Particle is not null).Select(s => (s.Particle!, s.Offset));

    public bool IsConstant => _segments.All(s => !s.IsVariable);

    /// <summary>
    /// Offsets of each <c>{{</c> with no <c>}}</c> before the next <c>{{</c> or the end: printed as written, not read
    /// as a placeholder (so <c>{{a} and {{b}}</c> prints <c>{{a} and </c> and then <c>b</c>).
    /// </summary>
    public ImmutableArray<int> Unclosed { get; }

    public static Template Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var segments = ImmutableArray.CreateBuilder<Segment>();
        var unclosed = ImmutableArray.CreateBuilder<int>();
        var position = 0;
        var literalFrom = 0;
        while (position < source.Length)
        {
            var open = source.IndexOf("{{", position, StringComparison.Ordinal);
            var close = open < 0 ? -1 : source.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (open < 0 || close < 0)
            {
                if (open >= 0)
                {
                    unclosed.Add(open);
                }

                segments.Add(new Segment(source[literalFrom..], literalFrom, false));
                break;
            }

            // "{{{name}}}": one '{' of text, then the placeholder.
            if (source[open + 2] == '{')
            {
                position = open + 1;
                continue;
            }

            // "{{a} and {{b}}": the first '{{' is never closed; it stays text and the search goes on from the next.
            var next = source.IndexOf("{{", open + 2, StringComparison.Ordinal);
            if (next >= 0 && next < close)
            {
                unclosed.Add(open);
                position = next;
                continue;
            }

            if (open > literalFrom)
            {
                segments.Add(new Segment(source[literalFrom..open], literalFrom, false));
            }

            var inside = source[(open + 2)..close];
            var bar = inside.IndexOf('|', StringComparison.Ordinal);
            var name = (bar < 0 ? inside : inside[..bar]).Trim();
            var particle = bar < 0 ? null : inside[(bar + 1)..].Trim();
            segments.Add(name.Length == 0 ? new Segment(source[open..(close + 2)], open, false) : new Segment(name, open, true, particle));
            position = close + 2;
            literalFrom = position;
        }

        return new Template(source, segments.ToImmutable(), unclosed.ToImmutable());
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
