namespace Microsoft.ML.LongTail.Resampling;

/// <summary>The most frequent category among a few codes, for SMOTE-NC and SMOTE-N. Codes are compared as floats
/// (-0 equals 0).</summary>
internal static class Categories
{
    /// <summary>The most frequent value of <paramref name="values"/> (reordered in place); a tie goes to one of the tied
    /// values drawn with <paramref name="rng"/> (imbalanced-learn's <c>SMOTENC</c> draws among them at random too). The
    /// random source is used only on a tie.</summary>
    public static float Mode(Span<float> values, Random rng)
    {
        values.Sort();
        int best = 0, ties = 0;
        // First pass: the highest count; second: how many values reach it, then the pick among them.
        for (int i = 0; i < values.Length;)
        {
            int run = Run(values, i);
            if (run > best)
            {
                best = run;
                ties = 1;
            }
            else if (run == best)
            {
                ties++;
            }
            i += run;
        }
        int pick = ties == 1 ? 0 : rng.Next(ties);
        for (int i = 0; i < values.Length;)
        {
            int run = Run(values, i);
            if (run == best && pick-- == 0)
                return values[i] + 0f;
            i += run;
        }
        throw new InvalidOperationException("Unreachable: no mode.");
    }

    /// <summary>The most frequent value of <paramref name="values"/> (reordered in place), a tie going to the smallest, as
    /// <c>scipy.stats.mode</c> (which imbalanced-learn's <c>SMOTEN</c> uses).</summary>
    public static float ModeLowest(Span<float> values)
    {
        values.Sort();
        int best = 0;
        float mode = 0;
        for (int i = 0; i < values.Length;)
        {
            int run = Run(values, i);
            if (run > best)
            {
                best = run;
                mode = values[i];
            }
            i += run;
        }
        return mode + 0f;
    }

    private static int Run(Span<float> sorted, int start)
    {
        int end = start + 1;
        while (end < sorted.Length && sorted[end] == sorted[start])
            end++;
        return end - start;
    }
}
