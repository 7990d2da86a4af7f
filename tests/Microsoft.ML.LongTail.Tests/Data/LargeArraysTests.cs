using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Tests.Data;

public class LargeArraysTests
{
    [Theory]
    [InlineData(1000)]          // small: an ordinary array
    [InlineData(3_000_000)]     // 12 MB: pinned and advised for huge pages on Linux
    public void AllocatesAWritableArrayOfTheLength(int length)
    {
        var array = LargeArrays.AllocateUninitialized<float>(length);

        Assert.Equal(length, array.Length);
        for (int i = 0; i < array.Length; i++)
            array[i] = i;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Assert.Equal(length - 1, array[^1]);
        Assert.Equal(length / 2, array[length / 2]);
    }
}
