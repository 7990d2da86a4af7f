using System.Text.Json;
using System.Text.Json.Serialization;

namespace LongTail.Bench;

/// <summary>Writes a subcommand's single JSON result line to stdout.</summary>
public static class BenchOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static void Emit(object result) => Console.Out.WriteLine(JsonSerializer.Serialize(result, Options));

    public static void Log(string message) => Console.Error.WriteLine(message);
}
