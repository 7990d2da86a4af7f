using System.Globalization;
using System.Numerics;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Data;

/// <summary>How the label column's values map to 0-based class indices, and back.</summary>
/// <remarks>
/// Components work on class indices <c>0..ClassCount-1</c>; the encoding remembers the label column's
/// original type and annotations so that a data view built back from arrays has exactly the schema a
/// downstream ML.NET trainer or evaluator expects:
/// <list type="bullet">
/// <item><description>a key column keeps its key type, cardinality and key-value annotations; class <c>i</c> is key value <c>i + 1</c>;</description></item>
/// <item><description>a Boolean column has two classes, <see langword="false"/> = 0 and <see langword="true"/> = 1;</description></item>
/// <item><description>a numeric or text column has one class per distinct value, in sorted order (as scikit-learn's <c>LabelEncoder</c>).</description></item>
/// </list>
/// </remarks>
public sealed class LabelEncoding
{
    private readonly double[]? _numericValues;

    private LabelEncoding(LabelKind kind, DataViewType columnType, DataViewSchema.Annotations annotations,
        int classCount, string[] classNames, double[]? numericValues)
    {
        Kind = kind;
        ColumnType = columnType;
        Annotations = annotations;
        ClassCount = classCount;
        ClassNames = classNames;
        _numericValues = numericValues;
    }

    /// <summary>The kind of the original label column.</summary>
    public LabelKind Kind { get; }

    /// <summary>The original label column's type.</summary>
    public DataViewType ColumnType { get; }

    /// <summary>The original label column's annotations (for a key column, its key-value names).</summary>
    public DataViewSchema.Annotations Annotations { get; }

    /// <summary>The number of classes (for a key label, its cardinality, whether or not every class occurs).</summary>
    public int ClassCount { get; }

    /// <summary>A readable name per class: the key-value annotation (else the 0-based class index), the Boolean, number or text value.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The original label value of class <paramref name="classIndex"/> as text.</summary>
    public string GetClassName(int classIndex) => ClassNames[classIndex];

    internal static LabelEncoding ForKey(KeyDataViewType keyType, DataViewSchema.Column column)
    {
        if (keyType.Count > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(keyType), $"The label column '{column.Name}' has a key type with {keyType.Count} values; at most {int.MaxValue} classes are supported.");
        int count = (int)keyType.Count;
        var names = SchemaValidation.ClassNames(column, count);
        return new LabelEncoding(LabelKind.Key, keyType, column.Annotations, count, names, null);
    }

    internal static LabelEncoding ForBoolean(DataViewSchema.Column column) =>
        new(LabelKind.Boolean, BooleanDataViewType.Instance, column.Annotations, 2, ["False", "True"], null);

    internal static LabelEncoding ForNumbers(DataViewSchema.Column column, double[] sortedValues) =>
        new(LabelKind.Number, column.Type, column.Annotations, sortedValues.Length,
            sortedValues.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray(), sortedValues);

    internal static LabelEncoding ForText(DataViewSchema.Column column, string[] sortedValues) =>
        new(LabelKind.Text, TextDataViewType.Instance, column.Annotations, sortedValues.Length, sortedValues, null);

    /// <summary>Makes a getter that writes the original label value of the class <paramref name="currentClass"/> returns.</summary>
    internal Delegate MakeGetter(Func<int> currentClass)
    {
        switch (Kind)
        {
            case LabelKind.Boolean:
                return (ValueGetter<bool>)((ref bool v) => v = currentClass() == 1);
            case LabelKind.Text:
                var text = ClassNames.Select(n => n.AsMemory()).ToArray();
                return (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = text[currentClass()]);
            case LabelKind.Key:
                return ColumnType.RawType switch
                {
                    Type t when t == typeof(uint) => (ValueGetter<uint>)((ref uint v) => v = (uint)currentClass() + 1),
                    Type t when t == typeof(ushort) => (ValueGetter<ushort>)((ref ushort v) => v = (ushort)(currentClass() + 1)),
                    Type t when t == typeof(byte) => (ValueGetter<byte>)((ref byte v) => v = (byte)(currentClass() + 1)),
                    Type t when t == typeof(ulong) => (ValueGetter<ulong>)((ref ulong v) => v = (ulong)currentClass() + 1),
                    _ => throw new NotSupportedException($"Key type {ColumnType} is not supported."),
                };
            default:
                return ColumnType.RawType switch
                {
                    Type t when t == typeof(float) => NumberGetter<float>(currentClass),
                    Type t when t == typeof(double) => NumberGetter<double>(currentClass),
                    Type t when t == typeof(int) => NumberGetter<int>(currentClass),
                    Type t when t == typeof(long) => NumberGetter<long>(currentClass),
                    Type t when t == typeof(uint) => NumberGetter<uint>(currentClass),
                    Type t when t == typeof(ulong) => NumberGetter<ulong>(currentClass),
                    Type t when t == typeof(short) => NumberGetter<short>(currentClass),
                    Type t when t == typeof(ushort) => NumberGetter<ushort>(currentClass),
                    Type t when t == typeof(sbyte) => NumberGetter<sbyte>(currentClass),
                    Type t when t == typeof(byte) => NumberGetter<byte>(currentClass),
                    _ => throw new NotSupportedException($"Label type {ColumnType} is not supported."),
                };
        }
    }

    private ValueGetter<T> NumberGetter<T>(Func<int> currentClass) where T : INumber<T>
    {
        var values = _numericValues!.Select(T.CreateChecked).ToArray();
        return (ref T v) => v = values[currentClass()];
    }
}

/// <summary>The kind of a label column.</summary>
public enum LabelKind
{
    /// <summary>A key column (the ML.NET way to hold a class label).</summary>
    Key,
    /// <summary>A Boolean column (binary classification).</summary>
    Boolean,
    /// <summary>A numeric column; each distinct value is a class.</summary>
    Number,
    /// <summary>A text column; each distinct value is a class.</summary>
    Text,
}
