using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.Quantize.Calibration;

/// <summary>One batch of model inputs: name, row-major float data and shape (first dimension = rows).</summary>
internal sealed record InputBatch(string Name, float[] Data, long[] Shape);

/// <summary>A float model input: its name and per-row shape (the shape without the batch dimension).</summary>
internal sealed record ModelInput(string Name, long[] RowShape)
{
    public long RowSize => RowShape.Aggregate(1L, (a, b) => a * b);

    public static IReadOnlyList<ModelInput> Of(GraphProto graph, IReadOnlyDictionary<string, int[]>? shapes, DataViewSchema? schema)
    {
        var initializers = new HashSet<string>(graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        var inputs = new List<ModelInput>();
        foreach (var vi in graph.Input)
        {
            if (initializers.Contains(vi.Name))
                continue;
            var tensor = vi.Type?.TensorType ?? throw new NotSupportedException($"Model input '{vi.Name}' is not a tensor.");
            if (tensor.ElemType != (int)TensorProto.Types.DataType.Float)
                throw new NotSupportedException($"Model input '{vi.Name}' has element type {(TensorProto.Types.DataType)tensor.ElemType}; only float inputs can be calibrated.");
            int[]? given = shapes?.GetValueOrDefault(vi.Name);
            var dims = tensor.Shape?.Dim;
            int rank = dims?.Count ?? given?.Length ?? throw new NotSupportedException($"Model input '{vi.Name}' has no declared shape; give it in OnnxQuantizationOptions.InputShapes.");
            if (rank == 0)
                throw new NotSupportedException($"Model input '{vi.Name}' is a scalar; a batch dimension is needed.");
            if (given is not null && given.Length != rank)
                throw new ArgumentException($"InputShapes gives {given.Length} dimensions for input '{vi.Name}', which has {rank}.");
            var columnDims = schema?.GetColumnOrNull(vi.Name)?.Type is VectorDataViewType { Dimensions: var cd } && cd.Length == rank - 1 ? cd : default;
            var row = new long[rank - 1];
            for (int i = 1; i < rank; i++)
            {
                if (dims is not null && dims[i].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[i].DimValue > 0)
                    row[i - 1] = dims[i].DimValue;
                else if (given is not null && given[i] > 0)
                    row[i - 1] = given[i];
                else if (!columnDims.IsDefault && columnDims[i - 1] > 0)
                    row[i - 1] = columnDims[i - 1];
                else
                    throw new NotSupportedException($"Model input '{vi.Name}': dimension {i} is not a fixed size; give the shape in OnnxQuantizationOptions.InputShapes (only the first, batch, dimension may stay symbolic).");
            }
            inputs.Add(new ModelInput(vi.Name, row));
        }
        return inputs;
    }
}

/// <summary>Reads calibration batches from an <see cref="IDataView"/> whose columns are named like the model inputs.</summary>
internal static class CalibrationData
{
    /// <summary>Checks the columns and returns a re-enumerable batch source (each enumeration makes one cursor pass).</summary>
    public static IEnumerable<IReadOnlyList<InputBatch>> FromDataView(IDataView data, IReadOnlyList<ModelInput> inputs, OnnxQuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        var columns = new List<DataViewSchema.Column>();
        foreach (var input in inputs)
        {
            var column = data.Schema.GetColumnOrNull(input.Name)
                ?? throw new ArgumentException($"The calibration data has no column '{input.Name}' for the model input '{input.Name}' (float, {input.RowSize} values per row). Columns: {string.Join(", ", data.Schema.Select(c => c.Name))}.", nameof(data));
            bool ok = column.Type is VectorDataViewType { ItemType: var item, Size: var size } ? item == NumberDataViewType.Single && size == input.RowSize
                : column.Type == NumberDataViewType.Single && input.RowSize == 1;
            if (!ok)
                throw new ArgumentException($"Calibration column '{input.Name}' is {column.Type}; the model input needs a known-size vector of {input.RowSize} Single values (shape [{string.Join(", ", input.RowShape)}]).", nameof(data));
            columns.Add(column);
        }
        DataViewSchema.Column? label = null;
        if (options.RowsPerClass > 0)
        {
            string name = options.LabelColumnName ?? throw new ArgumentException("RowsPerClass needs LabelColumnName.", nameof(options));
            label = data.Schema.GetColumnOrNull(name) ?? throw new ArgumentException($"The calibration data has no label column '{name}'.", nameof(data));
        }
        return Read(data, inputs, columns, label, options);
    }

    private static IEnumerable<IReadOnlyList<InputBatch>> Read(IDataView data, IReadOnlyList<ModelInput> inputs, List<DataViewSchema.Column> columns,
        DataViewSchema.Column? label, OnnxQuantizationOptions options)
    {
        int batchSize = Math.Max(1, options.CalibrationBatchSize);
        using var cursor = data.GetRowCursor(label is { } l ? columns.Append(l) : columns);
        var getters = columns.Select(c => MakeGetter(cursor, c)).ToArray();
        Func<string>? labelGetter = label is { } lc ? LabelGetter(cursor, lc) : null;
        var perClass = new Dictionary<string, int>(StringComparer.Ordinal);
        var buffers = inputs.Select(i => new float[batchSize * i.RowSize]).ToArray();
        int rows = 0, total = 0;
        while (total < options.MaxCalibrationRows && cursor.MoveNext())
        {
            if (labelGetter is not null)
            {
                string key = labelGetter();
                int seen = perClass.GetValueOrDefault(key);
                if (seen >= options.RowsPerClass)
                    continue;
                perClass[key] = seen + 1;
            }
            for (int i = 0; i < inputs.Count; i++)
                getters[i](buffers[i].AsSpan(rows * (int)inputs[i].RowSize, (int)inputs[i].RowSize));
            rows++;
            total++;
            if (rows == batchSize)
            {
                yield return Batch(inputs, buffers, rows);
                rows = 0;
            }
        }
        if (rows > 0)
            yield return Batch(inputs, buffers, rows);
    }

    /// <summary>Batches of model inputs with integer class labels (a key column gives its 0-based index; a number its value).</summary>
    public static IEnumerable<(IReadOnlyList<InputBatch> Batch, int[] Labels)> Labeled(IDataView data, IReadOnlyList<ModelInput> inputs, string labelColumnName, int batchSize)
    {
        var options = new OnnxQuantizationOptions { MaxCalibrationRows = int.MaxValue, CalibrationBatchSize = batchSize };
        FromDataView(data, inputs, options); // checks the input columns
        var columns = inputs.Select(i => data.Schema[i.Name]).ToList();
        var label = data.Schema.GetColumnOrNull(labelColumnName) ?? throw new ArgumentException($"The data has no label column '{labelColumnName}'.", nameof(labelColumnName));
        Func<int> labelGetter = ClassIndexGetter(data, label, out var cursor, columns);
        using (cursor)
        {
            var getters = columns.Select(c => MakeGetter(cursor, c)).ToArray();
            var buffers = inputs.Select(i => new float[batchSize * i.RowSize]).ToArray();
            var labels = new List<int>();
            while (cursor.MoveNext())
            {
                for (int i = 0; i < inputs.Count; i++)
                    getters[i](buffers[i].AsSpan(labels.Count * (int)inputs[i].RowSize, (int)inputs[i].RowSize));
                labels.Add(labelGetter());
                if (labels.Count == batchSize)
                {
                    yield return (Batch(inputs, buffers, labels.Count), labels.ToArray());
                    labels.Clear();
                }
            }
            if (labels.Count > 0)
                yield return (Batch(inputs, buffers, labels.Count), labels.ToArray());
        }
    }

    private static Func<int> ClassIndexGetter(IDataView data, DataViewSchema.Column label, out DataViewRowCursor cursor, List<DataViewSchema.Column> columns)
    {
        cursor = data.GetRowCursor(columns.Append(label));
        var c = cursor;
        var type = label.Type;
        if (type is KeyDataViewType) { var g = c.GetGetter<uint>(label); return () => { uint v = 0; g(ref v); return (int)v - 1; }; }
        if (type == NumberDataViewType.Single) { var g = c.GetGetter<float>(label); return () => { float v = 0; g(ref v); return (int)v; }; }
        if (type == NumberDataViewType.Double) { var g = c.GetGetter<double>(label); return () => { double v = 0; g(ref v); return (int)v; }; }
        if (type == NumberDataViewType.Int32) { var g = c.GetGetter<int>(label); return () => { int v = 0; g(ref v); return v; }; }
        if (type == NumberDataViewType.Int64) { var g = c.GetGetter<long>(label); return () => { long v = 0; g(ref v); return (int)v; }; }
        if (type == BooleanDataViewType.Instance) { var g = c.GetGetter<bool>(label); return () => { bool v = false; g(ref v); return v ? 1 : 0; }; }
        cursor.Dispose();
        throw new ArgumentException($"Label column '{label.Name}' has type {type}; a key, number or Boolean holding the class index is needed.");
    }

    private static IReadOnlyList<InputBatch> Batch(IReadOnlyList<ModelInput> inputs, float[][] buffers, int rows)
    {
        var batch = new InputBatch[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
            batch[i] = new InputBatch(inputs[i].Name, buffers[i].AsSpan(0, rows * (int)inputs[i].RowSize).ToArray(), [rows, .. inputs[i].RowShape]);
        return batch;
    }

    private delegate void SpanFiller(Span<float> destination);

    private static SpanFiller MakeGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            return dst =>
            {
                getter(ref buffer);
                buffer.CopyTo(dst);
            };
        }
        var scalar = cursor.GetGetter<float>(column);
        return dst =>
        {
            float v = 0;
            scalar(ref v);
            dst[0] = v;
        };
    }

    private static Func<string> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type;
        if (type is KeyDataViewType) { var g = cursor.GetGetter<uint>(column); return () => { uint v = 0; g(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); }; }
        if (type == NumberDataViewType.Single) { var g = cursor.GetGetter<float>(column); return () => { float v = 0; g(ref v); return v.ToString("R", System.Globalization.CultureInfo.InvariantCulture); }; }
        if (type == NumberDataViewType.Double) { var g = cursor.GetGetter<double>(column); return () => { double v = 0; g(ref v); return v.ToString("R", System.Globalization.CultureInfo.InvariantCulture); }; }
        if (type == NumberDataViewType.Int32) { var g = cursor.GetGetter<int>(column); return () => { int v = 0; g(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); }; }
        if (type == NumberDataViewType.Int64) { var g = cursor.GetGetter<long>(column); return () => { long v = 0; g(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); }; }
        if (type == BooleanDataViewType.Instance) { var g = cursor.GetGetter<bool>(column); return () => { bool v = false; g(ref v); return v ? "1" : "0"; }; }
        if (type == TextDataViewType.Instance) { var g = cursor.GetGetter<ReadOnlyMemory<char>>(column); return () => { ReadOnlyMemory<char> v = default; g(ref v); return v.ToString(); }; }
        throw new ArgumentException($"Label column '{column.Name}' has type {type}; a key, number, Boolean or text is needed.");
    }
}
