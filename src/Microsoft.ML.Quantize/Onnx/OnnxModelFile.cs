using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.Quantize.Onnx;

/// <summary>
/// Reads and writes <c>.onnx</c> files as <see cref="ModelProto"/> messages, with the checks a quantizer needs:
/// a clear error for a file that is not an ONNX model or is truncated, and tensors stored in external data files
/// loaded into the model.
/// </summary>
public static class OnnxModelFile
{
    /// <summary>Reads an ONNX model file; tensors with external data are read from files next to it.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <returns>The model, with every external tensor loaded into <c>raw_data</c>.</returns>
    /// <exception cref="FileNotFoundException">The file, or an external data file it names, does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model, or is truncated or corrupt.</exception>
    public static ModelProto Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Parse(File.ReadAllBytes(path), directory, path);
    }

    /// <summary>Parses ONNX model bytes.</summary>
    /// <param name="bytes">The serialized <c>ModelProto</c>.</param>
    /// <param name="externalDataDirectory">Folder that external data locations are relative to; <see langword="null"/>
    /// refuses models with external data.</param>
    /// <returns>The model, with every external tensor loaded into <c>raw_data</c>.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model, or are truncated or corrupt.</exception>
    /// <exception cref="FileNotFoundException">An external data file does not exist.</exception>
    public static ModelProto Parse(byte[] bytes, string? externalDataDirectory = null) => Parse(bytes, externalDataDirectory, "the model bytes");

    private static ModelProto Parse(byte[] bytes, string? externalDataDirectory, string what)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
            throw new InvalidDataException($"{what} is empty, not an ONNX model.");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{what} is not an ONNX model, or is truncated or corrupt: {e.Message}", e);
        }
        // Arbitrary bytes can parse as a message made of unknown fields: require what every ONNX model has.
        if (model.IrVersion <= 0 || model.Graph is null || model.OpsetImport.Count == 0)
            throw new InvalidDataException($"{what} is not an ONNX model (no IR version, graph or opset import).");
        if (model.Graph.Node.Count == 0 || model.Graph.Output.Count == 0)
            throw new InvalidDataException($"{what}: the ONNX graph has no nodes or no outputs.");
        LoadExternalData(model, externalDataDirectory, what);
        return model;
    }

    /// <summary>Writes a model to a file (all tensors inline).</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Destination; overwritten if it exists.</param>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Write to a temporary file first so a failure never leaves a half-written model.
        // A unique name: two saves to one path never share a temporary file; it is removed if anything fails.
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temp, model.ToByteArray());
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static void LoadExternalData(ModelProto model, string? directory, string what)
    {
        foreach (var tensor in AllTensors(model.Graph))
        {
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
                continue;
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            if (!entries.TryGetValue("location", out string? location) || location.Length == 0)
                throw new InvalidDataException($"{what}: tensor '{tensor.Name}' is stored externally but names no location.");
            if (directory is null)
                throw new InvalidDataException($"{what}: tensor '{tensor.Name}' is stored in external file '{location}'; load the model from its file so the data can be found.");
            string file = Path.GetFullPath(Path.Combine(directory, location));
            if (!File.Exists(file))
                throw new FileNotFoundException($"{what}: external data file '{location}' of tensor '{tensor.Name}' is missing (looked for '{file}').", file);
            long offset = entries.TryGetValue("offset", out string? o) ? long.Parse(o, System.Globalization.CultureInfo.InvariantCulture) : 0;
            using var stream = File.OpenRead(file);
            long length = entries.TryGetValue("length", out string? l) ? long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
            if (offset < 0 || length < 0 || offset + length > stream.Length)
                throw new InvalidDataException($"{what}: external data of tensor '{tensor.Name}' (offset {offset}, length {length}) lies outside '{location}' ({stream.Length} bytes).");
            var data = new byte[length];
            stream.Position = offset;
            stream.ReadExactly(data);
            tensor.RawData = ByteString.CopyFrom(data);
            tensor.ExternalData.Clear();
            tensor.ClearDataLocation();
        }
    }

    internal static IEnumerable<TensorProto> AllTensors(GraphProto graph)
    {
        foreach (var t in graph.Initializer)
            yield return t;
        foreach (var node in graph.Node)
        {
            foreach (var a in node.Attribute)
            {
                if (a.T is not null)
                    yield return a.T;
                foreach (var sub in a.Graphs.Append(a.G))
                {
                    if (sub is null)
                        continue;
                    foreach (var t in AllTensors(sub))
                        yield return t;
                }
            }
        }
    }
}
