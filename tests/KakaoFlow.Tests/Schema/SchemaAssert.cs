using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Validation;

namespace KakaoFlow.Tests.Schema;

/// <summary>Loads the repository's schemas once and validates YAML against them.</summary>
internal static class SchemaAssert
{
    private static readonly Lazy<Task<JsonSchema>> FlowSchema = new(() => JsonSchema.FromFileAsync(RepoPaths.Schema("flow.schema.json")));
    private static readonly Lazy<Task<JsonSchema>> ScenarioSchema = new(() => JsonSchema.FromFileAsync(RepoPaths.Schema("scenario.schema.json")));

    public static async Task<IReadOnlyList<ValidationError>> ValidateFlowAsync(string yaml) =>
        [.. (await FlowSchema.Value).Validate(YamlToJson.Convert(yaml))];

    public static async Task<IReadOnlyList<ValidationError>> ValidateScenarioAsync(string yaml) =>
        [.. (await ScenarioSchema.Value).Validate(YamlToJson.Convert(yaml))];

    /// <summary>Every error, with the errors inside anyOf/oneOf branches, flattened.</summary>
    public static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            yield return error;
            if (error is ChildSchemaValidationError child)
            {
                foreach (var inner in Flatten(child.Errors.Values.SelectMany(e => e)))
                {
                    yield return inner;
                }
            }
        }
    }

    public static string Describe(IEnumerable<ValidationError> errors) =>
        string.Join("\n", Flatten(errors).Select(e => $"{e.Kind} at {e.Path} (line {e.LineNumber})"));

    /// <summary>
    /// Paths of every schema found under <c>properties</c>, <c>patternProperties</c> or an object-valued
    /// <c>additionalProperties</c> that has no non-empty <c>description</c>.
    /// </summary>
    public static IReadOnlyList<string> PropertiesWithoutDescription(JsonElement schema)
    {
        var missing = new List<string>();
        Walk(schema, "#", missing);
        return missing;
    }

    private static void Walk(JsonElement node, string path, List<string> missing)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    var childPath = $"{path}/{property.Name}";
                    if (property.Name is "properties" or "patternProperties" && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var declared in property.Value.EnumerateObject())
                        {
                            RequireDescription(declared.Value, $"{childPath}/{declared.Name}", missing);
                        }
                    }
                    else if (property.Name == "additionalProperties" && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        RequireDescription(property.Value, childPath, missing);
                    }

                    Walk(property.Value, childPath, missing);
                }

                break;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in node.EnumerateArray())
                {
                    Walk(item, $"{path}/{index++}", missing);
                }

                break;
        }
    }

    private static void RequireDescription(JsonElement schema, string path, List<string> missing)
    {
        if (schema.ValueKind != JsonValueKind.Object
            || !schema.TryGetProperty("description", out var description)
            || description.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(description.GetString()))
        {
            missing.Add(path);
        }
    }
}
