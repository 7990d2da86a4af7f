using System.Globalization;

namespace LongTail.Bench;

/// <summary>A bad command line: the message names the option at fault.</summary>
public sealed class BenchArgumentException(string message) : Exception(message);

/// <summary>Parses <c>--name value</c> options and rejects any option the command does not know.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public BenchArgs(string[] args, params string[] known)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || Array.IndexOf(known, name[2..]) < 0)
                throw new BenchArgumentException($"Unknown option '{name}'. Known options: {string.Join(", ", known.Select(k => "--" + k))}.");
            if (i + 1 >= args.Length)
                throw new BenchArgumentException($"Option '{name}' needs a value.");
            _values[name[2..]] = args[++i];
        }
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Require(string name) =>
        Get(name) ?? throw new BenchArgumentException($"Option '--{name}' is required.");

    public int GetInt(string name, int fallback) => Get(name) is { } v
        ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n
            : throw new BenchArgumentException($"Option '--{name}' expects an integer, got '{v}'.")
        : fallback;
}
