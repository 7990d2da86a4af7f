using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.RobustLoss.Tests;

/// <summary>
/// Checks that TorchSharp's native runtime loads and trains on this machine's CPU. On libstdc++
/// older than GCC 13 this depends on the build patching libLibTorchSharp.so
/// (build/TorchSharpNative.targets, docs/torchsharp-native.md).
/// </summary>
public sealed class TorchSharpRuntimeTests
{
    /// <summary>A small MLP learns a non-linear two-class problem: loss falls well below its start.</summary>
    [Fact]
    public void MlpTrainsOnCpu()
    {
        torch.random.manual_seed(1234);
        using var scope = NewDisposeScope();

        // Two classes split by the sign of x0 * x1 (XOR quadrants): no linear model separates
        // them, so the hidden layer must do real work.
        const int n = 512;
        Tensor x = torch.rand(n, 2, dtype: ScalarType.Float32) * 2 - 1;
        Tensor y = (x[.., 0] * x[.., 1] > 0).to(ScalarType.Int64);

        var model = nn.Sequential(
            ("fc1", nn.Linear(2, 32)),
            ("act", nn.ReLU()),
            ("fc2", nn.Linear(32, 2)));
        var optimizer = optim.Adam(model.parameters(), lr: 0.02);
        var lossFn = nn.CrossEntropyLoss();

        float initialLoss = 0, finalLoss = 0;
        for (int step = 0; step < 300; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = lossFn.forward(model.forward(x), y);
            loss.backward();
            optimizer.step();
            float value = loss.item<float>();
            if (step == 0)
            {
                initialLoss = value;
            }
            finalLoss = value;
        }

        using (torch.no_grad())
        {
            Tensor predicted = model.forward(x).argmax(1);
            double accuracy = (predicted == y).to(ScalarType.Float32).mean().item<float>();
            Assert.True(accuracy > 0.8, $"accuracy {accuracy:F3} should be well above chance (0.5)");
        }
        Assert.True(float.IsFinite(initialLoss) && float.IsFinite(finalLoss), $"losses {initialLoss} -> {finalLoss}");
        Assert.True(finalLoss < 0.5f * initialLoss, $"loss should at least halve: {initialLoss:F4} -> {finalLoss:F4}");
    }

    /// <summary>Querying CUDA on a CPU-only runtime answers "none" instead of failing.</summary>
    [Fact]
    public void CudaQueryDoesNotCrash()
    {
        bool available = torch.cuda.is_available();
        int devices = torch.cuda.device_count();

        // The test project references the CPU build of libtorch, so there is never a device.
        Assert.False(available);
        Assert.Equal(0, devices);
        Assert.Equal(DeviceType.CPU, torch.zeros(1).device_type);
    }
}
