using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// Dynamic loss scaling for float16 mixed precision, with the semantics and defaults of PyTorch's <c>torch.cuda.amp.GradScaler</c>
/// (TorchSharp has no scaler of its own): the loss is multiplied by <see cref="Scale"/> before the backward pass so that small
/// float16 gradients do not flush to zero; <see cref="UnscaleOrSkip"/> then divides the float32 gradients by the scale, or, when
/// any of them overflowed, reports the step to be skipped and halves the scale; after <see cref="GrowthInterval"/> steps
/// in a row without overflow the scale doubles.
/// </summary>
internal sealed class DynamicLossScaler(double initialScale = 65536.0, int growthInterval = 2000)
{
    /// <summary>The factor the scale is multiplied by after <see cref="GrowthInterval"/> good steps.</summary>
    public const double GrowthFactor = 2.0;

    /// <summary>The factor the scale is multiplied by after an overflow.</summary>
    public const double BackoffFactor = 0.5;

    /// <summary>The current scale.</summary>
    public double Scale { get; private set; } = initialScale;

    /// <summary>Good steps in a row needed before the scale grows.</summary>
    public int GrowthInterval { get; } = growthInterval;

    /// <summary>Steps skipped so far because their gradients overflowed.</summary>
    public int SkippedSteps { get; private set; }

    private int _goodSteps;

    /// <summary>Whether every gradient of <paramref name="parameters"/> is finite (parameters without a gradient are ignored).</summary>
    public static bool GradientsAreFinite(IEnumerable<Parameter> parameters)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var checks = parameters.Where(p => p.grad is not null).Select(p => torch.isfinite(p.grad!).all()).ToArray();
        // One device-to-host read per step, not one per parameter (each read waits for the GPU).
        return checks.Length == 0 || torch.stack(checks).all().item<bool>();
    }

    /// <summary>After the backward pass of a scaled loss: returns <see langword="true"/> and divides every gradient by the scale
    /// when all are finite, else zeroes them, halves the scale and returns <see langword="false"/> (skip the optimiser step).</summary>
    public bool UnscaleOrSkip(IReadOnlyList<Parameter> parameters)
    {
        if (!GradientsAreFinite(parameters))
        {
            foreach (var p in parameters)
                p.grad?.zero_();
            Scale *= BackoffFactor;
            _goodSteps = 0;
            SkippedSteps++;
            return false;
        }
        using (torch.no_grad())
        {
            double inverse = 1.0 / Scale;
            foreach (var p in parameters)
                p.grad?.mul_(inverse);
        }
        if (++_goodSteps >= GrowthInterval)
        {
            Scale *= GrowthFactor;
            _goodSteps = 0;
        }
        return true;
    }
}
