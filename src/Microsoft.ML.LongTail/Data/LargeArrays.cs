using System.Runtime.InteropServices;

namespace Microsoft.ML.LongTail.Data;

/// <summary>
/// Allocation of the large output arrays of the samplers. On Linux, an array of several megabytes is allocated pinned and
/// advised for transparent huge pages: the first write to fresh memory costs one page fault per page, and with 4 KiB
/// pages those faults were most of an over-sampler's first call on 1M rows here (about 7 us each on a virtual machine).
/// With 2 MiB pages there are 512 times fewer. Elsewhere, or where the advice is refused, it is an ordinary array.
/// </summary>
internal static partial class LargeArrays
{
    /// <summary>Arrays at least this large (in bytes) get the huge-page advice.</summary>
    private const long Threshold = 4 << 20;
    private const long HugePage = 2 << 20;
    private const int MadviseHugePage = 14; // MADV_HUGEPAGE

    /// <summary>An array whose elements the caller will all write: not zeroed.</summary>
    public static T[] AllocateUninitialized<T>(int length) where T : unmanaged
    {
        long bytes = (long)length * Marshal.SizeOf<T>();
        if (bytes < Threshold || !OperatingSystem.IsLinux())
            return GC.AllocateUninitializedArray<T>(length);
        // Pinned: the pinned object heap never moves it, so the advised range stays the array's.
        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        Advise(Marshal.UnsafeAddrOfPinnedArrayElement(array, 0), bytes);
        return array;
    }

    private static void Advise(IntPtr start, long bytes)
    {
        // Only whole huge pages inside the array: never advise memory that is not ours.
        long first = (start.ToInt64() + HugePage - 1) & ~(HugePage - 1);
        long end = (start.ToInt64() + bytes) & ~(HugePage - 1);
        if (end <= first)
            return;
        try
        {
            // The advice is a hint: a kernel without transparent huge pages refuses it (EINVAL) and nothing changes.
            _ = Madvise(new IntPtr(first), (nuint)(end - first), MadviseHugePage);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to ask (an unusual Linux): the array works the same, only without the hint.
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(IntPtr address, nuint length, int advice);
}
