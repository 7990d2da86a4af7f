using System.Runtime.CompilerServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>Reading helpers shared by the imbalanced evaluators.</summary>
internal static class EvaluationSchema
{
    /// <summary>Returns a reader of the raw key value whatever the key's storage type.</summary>
    public static Func<ulong> KeyReader(DataViewRow row, DataViewSchema.Column column)
    {
        // One closure per column, created before the loop: the per-row call does not allocate.
        var raw = column.Type.RawType;
        if (raw == typeof(uint))
        {
            var getter = row.GetGetter<uint>(column);
            uint value = 0;
            return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () => { getter(ref value); return value; };
        }
        if (raw == typeof(ulong))
        {
            var getter = row.GetGetter<ulong>(column);
            ulong value = 0;
            return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () => { getter(ref value); return value; };
        }
        if (raw == typeof(ushort))
        {
            var getter = row.GetGetter<ushort>(column);
            ushort value = 0;
            return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () => { getter(ref value); return value; };
        }
        if (raw == typeof(byte))
        {
            var getter = row.GetGetter<byte>(column);
            byte value = 0;
            return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () => { getter(ref value); return value; };
        }
        throw new ArgumentException($"Column '{column.Name}' has key storage type {raw.Name}, which is not supported.");
    }
}
