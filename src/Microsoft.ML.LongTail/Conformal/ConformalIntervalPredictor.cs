using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// A calibrated regression conformal predictor: the threshold <c>qhat</c> on the residual score. Returned by
/// <see cref="ConformalRegressor.Calibrate"/>; use it directly for managed prediction.
/// </summary>
public sealed class ConformalIntervalPredictor
{
    internal ConformalIntervalPredictor(ConformalRegressionScore score, double alpha, float threshold, int calibrationCount)
    {
        Score = score;
        Alpha = alpha;
        Threshold = threshold;
        CalibrationCount = calibrationCount;
    }

    /// <summary>The non-conformity score.</summary>
    public ConformalRegressionScore Score { get; }

    /// <summary>The miscoverage level calibrated for.</summary>
    public double Alpha { get; }

    /// <summary><c>qhat</c>; +infinity (an infinite interval) when the calibration set is too small for alpha.</summary>
    public float Threshold { get; }

    /// <summary>The number of calibration rows.</summary>
    public int CalibrationCount { get; }

    /// <summary>The interval of one row, computed in float32 as the ONNX graph does.</summary>
    /// <param name="prediction">The point prediction (ignored by <see cref="ConformalRegressionScore.QuantileRegression"/>).</param>
    /// <param name="difficulty">Normalised residuals: sigma(x) &gt; 0. Quantile regression: the lower quantile prediction.
    /// Ignored by absolute residuals.</param>
    /// <param name="upper">Quantile regression: the upper quantile prediction; ignored otherwise.</param>
    public (float Lower, float Upper) Predict(float prediction, float difficulty = 1f, float upper = 0f) => Score switch
    {
        ConformalRegressionScore.AbsoluteResidual => (prediction - Threshold, prediction + Threshold),
        ConformalRegressionScore.NormalizedResidual => (prediction - Threshold * difficulty, prediction + Threshold * difficulty),
        _ => (difficulty - Threshold, upper + Threshold),
    };

    /// <summary>The stock chain adding the <c>[lower, upper]</c> column.</summary>
    internal IEstimator<ITransformer> CreateEstimator(MLContext mlContext, ConformalRegressorOptions options)
    {
        const string OnnxOutput = "conformal_prediction_interval";
        var g = new OnnxGraphBuilder("conformal_interval");
        g.AddMetadata("ml_longtail_component", "ConformalInterval");
        g.AddInitializer("qhat", [Threshold]);
        string lower, upper;
        string[] inputs;
        switch (Score)
        {
            case ConformalRegressionScore.AbsoluteResidual:
                g.AddFloatInput(options.ScoreColumnName, 1);
                inputs = [options.ScoreColumnName];
                lower = g.AddNode("Sub", [options.ScoreColumnName, "qhat"], "lower");
                upper = g.AddNode("Add", [options.ScoreColumnName, "qhat"], "upper");
                break;
            case ConformalRegressionScore.NormalizedResidual:
                g.AddFloatInput(options.ScoreColumnName, 1);
                g.AddFloatInput(options.DifficultyColumnName, 1);
                inputs = [options.ScoreColumnName, options.DifficultyColumnName];
                string width = g.AddNode("Mul", ["qhat", options.DifficultyColumnName], "half_width");
                lower = g.AddNode("Sub", [options.ScoreColumnName, width], "lower");
                upper = g.AddNode("Add", [options.ScoreColumnName, width], "upper");
                break;
            default:
                g.AddFloatInput(options.LowerColumnName, 1);
                g.AddFloatInput(options.UpperColumnName, 1);
                inputs = [options.LowerColumnName, options.UpperColumnName];
                lower = g.AddNode("Sub", [options.LowerColumnName, "qhat"], "lower");
                upper = g.AddNode("Add", [options.UpperColumnName, "qhat"], "upper");
                break;
        }
        g.AddNode("Concat", [lower, upper], OnnxOutput, OnnxAttribute.Int("axis", 1));
        g.AddOutput(OnnxOutput, TensorProto.Types.DataType.Float, -1, 2);
        return OnnxScoring.CreateEstimator(mlContext, g.ToBytes(), inputs, [new InputOutputColumnPair(options.OutputColumnName, OnnxOutput)]);
    }
}
