using System.Text.Json;
using System.Text.Json.Serialization;

namespace KakaoFlow.Runtime;

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class FlowJsonContext : JsonSerializerContext;
