using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// The losses as TorchSharp expressions. Each returns the scalar batch loss; gradients come from autograd. Every formula is
/// mirrored in <c>tests/.../Fixtures/make_loss_fixtures.py</c> and checked against PyTorch to 1e-5 (loss and gradient).
/// </summary>
internal static class LossFunctions
{
    /// <summary>Class weights from counts, normalised to sum to the number of classes; a class without rows counts as 1.</summary>
    public static double[] ClassWeights(IReadOnlyList<int> counts, ClassWeighting weighting, double beta)
    {
        var w = new double[counts.Count];
        for (int c = 0; c < w.Length; c++)
        {
            double n = Math.Max(counts[c], 1);
            w[c] = weighting == ClassWeighting.InverseFrequency ? 1.0 / n : (1 - beta) / (1 - Math.Pow(beta, n));
        }
        double sum = w.Sum();
        for (int c = 0; c < w.Length; c++)
            w[c] = w[c] * w.Length / sum;
        return w;
    }

    /// <summary>LDAM margins proportional to <c>n_c^(-1/4)</c>, the largest equal to <paramref name="maxMargin"/>.</summary>
    public static double[] LdamMargins(IReadOnlyList<int> counts, double maxMargin)
    {
        var m = counts.Select(n => 1.0 / Math.Pow(Math.Max(n, 1), 0.25)).ToArray();
        double max = m.Max();
        return m.Select(v => v * maxMargin / max).ToArray();
    }

    public static Tensor CrossEntropy(Tensor logits, Tensor targets, Tensor? weight = null, double smoothing = 0) =>
        F.cross_entropy(logits, targets, weight: weight, label_smoothing: smoothing);

    public static Tensor Focal(Tensor logits, Tensor targets, double gamma, Tensor? alpha = null)
    {
        using var scope = NewDisposeScope();
        Tensor logp = F.log_softmax(logits, 1).gather(1, targets.unsqueeze(1)).squeeze(1);
        Tensor p = logp.exp();
        Tensor loss = -(1 - p).pow(gamma) * logp;
        if (alpha is not null)
            loss = alpha.index_select(0, targets) * loss;
        return loss.mean().MoveToOuterDisposeScope();
    }

    public static Tensor Ldam(Tensor logits, Tensor targets, Tensor margins, double scale, Tensor? weight = null)
    {
        using var scope = NewDisposeScope();
        Tensor onehot = F.one_hot(targets, logits.shape[1]).to(logits.dtype);
        Tensor adjusted = scale * (logits - onehot * margins.unsqueeze(0));
        return F.cross_entropy(adjusted, targets, weight: weight).MoveToOuterDisposeScope();
    }

    /// <summary>Cross-entropy of <c>logits + offsets</c> (balanced softmax: <c>log n_c</c>; logit adjustment: <c>tau log prior</c>).</summary>
    public static Tensor OffsetCrossEntropy(Tensor logits, Tensor targets, Tensor offsets)
    {
        using var scope = NewDisposeScope();
        return F.cross_entropy(logits + offsets.unsqueeze(0), targets).MoveToOuterDisposeScope();
    }

    /// <summary>Softmax equalization loss: cross-entropy with the logits of tail negatives removed from the softmax where
    /// <paramref name="beta"/> (Bernoulli(gamma) draws, [B, K]) is 1; <paramref name="tailMask"/> is 1 for classes with
    /// training frequency below lambda.</summary>
    public static Tensor Equalization(Tensor logits, Tensor targets, Tensor tailMask, Tensor beta)
    {
        using var scope = NewDisposeScope();
        Tensor onehot = F.one_hot(targets, logits.shape[1]).to(logits.dtype);
        Tensor ignored = (beta * tailMask.unsqueeze(0) * (1 - onehot)) > 0.5;
        return F.cross_entropy(logits.masked_fill(ignored, double.NegativeInfinity), targets).MoveToOuterDisposeScope();
    }

    public static Tensor BinaryCrossEntropy(Tensor logits, Tensor targets) =>
        F.binary_cross_entropy_with_logits(logits, targets);

    public static Tensor BinaryFocal(Tensor logits, Tensor targets, double gamma, double alpha)
    {
        using var scope = NewDisposeScope();
        Tensor positive = targets > 0.5;
        Tensor p = logits.sigmoid();
        Tensor pt = torch.where(positive, p, 1 - p);
        Tensor logpt = torch.where(positive, F.logsigmoid(logits), F.logsigmoid(-logits));
        Tensor loss = -(1 - pt).pow(gamma) * logpt;
        if (alpha >= 0)
            loss = torch.where(positive, alpha * loss, (1 - alpha) * loss);
        return loss.mean().MoveToOuterDisposeScope();
    }

    public static Tensor Asymmetric(Tensor logits, Tensor targets, double gammaPositive, double gammaNegative, double clip)
    {
        using var scope = NewDisposeScope();
        Tensor p = logits.sigmoid();
        Tensor pm = clip > 0 ? (p - clip).clamp_min(0) : p;
        Tensor pos = (1 - p).pow(gammaPositive) * F.logsigmoid(logits);
        Tensor neg = pm.pow(gammaNegative) * (1 - pm).clamp_min(1e-8).log();
        return (-(targets * pos + (1 - targets) * neg)).mean().MoveToOuterDisposeScope();
    }

    public static Tensor Squared(Tensor predictions, Tensor targets)
    {
        using var scope = NewDisposeScope();
        return (predictions - targets).square().mean().MoveToOuterDisposeScope();
    }

    public static Tensor Huber(Tensor predictions, Tensor targets, double delta)
    {
        using var scope = NewDisposeScope();
        Tensor r = predictions - targets;
        Tensor a = r.abs();
        return torch.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)).mean().MoveToOuterDisposeScope();
    }

    public static Tensor PseudoHuber(Tensor predictions, Tensor targets, double delta)
    {
        using var scope = NewDisposeScope();
        Tensor r = (predictions - targets) / delta;
        return (delta * delta * ((1 + r * r).sqrt() - 1)).mean().MoveToOuterDisposeScope();
    }

    public static Tensor TukeyBiweight(Tensor predictions, Tensor targets, double c)
    {
        using var scope = NewDisposeScope();
        Tensor r = predictions - targets;
        Tensor inside = (1 - (1 - (r / c).square()).pow(3)) * (c * c / 6);
        return torch.where(r.abs() <= c, inside, torch.full_like(r, c * c / 6)).mean().MoveToOuterDisposeScope();
    }

    /// <summary><c>log cosh r = |r| + log(1 + exp(-2|r|)) - log 2</c>, finite for any residual.</summary>
    public static Tensor LogCosh(Tensor predictions, Tensor targets)
    {
        using var scope = NewDisposeScope();
        Tensor r = predictions - targets;
        return (r + F.softplus(-2 * r) - Math.Log(2)).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Pinball loss; <paramref name="predictions"/> is [B, Q], <paramref name="quantiles"/> is [Q].</summary>
    public static Tensor Pinball(Tensor predictions, Tensor targets, Tensor quantiles)
    {
        using var scope = NewDisposeScope();
        Tensor r = targets.unsqueeze(1) - predictions;
        Tensor q = quantiles.unsqueeze(0);
        return torch.maximum(q * r, (q - 1) * r).mean().MoveToOuterDisposeScope();
    }
}
