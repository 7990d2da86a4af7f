using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// Turns the one-slot vector a network's ONNX graph outputs (<c>Vector&lt;Single, 1&gt;</c>: ML.NET reads every ONNX output
/// as a vector, and cannot read a rank-0 one) into the scalar <c>Score</c> ML.NET's binary and regression evaluators
/// expect, with stock transformers only: a linear prediction transformer with weight 1 and bias 0 over that column.
/// </summary>
/// <remarks>
/// <c>1 * x + 0</c> is exactly <c>x</c> in floating point, so the scalar is the network's output bit for bit. The binary
/// transformer's <c>PredictedLabel</c> is <c>Score &gt; 0</c> (probability above one half), and a fixed Platt calibrator
/// (slope -1, offset 0: <c>1 / (1 + exp(-Score))</c>) adds <c>Probability</c>. No public API builds a linear model from given
/// weights (its constructors are internal), so they are called by reflection here, once per fitted model; the saved
/// model is plain ML.NET (<c>LinearRegressionModelParameters</c>, <c>LinearBinaryModelParameters</c>, a Platt calibrator)
/// and loads with no code of ours. Schema propagation delegates to public trainers with the same output columns.
/// </remarks>
internal static class ScalarScore
{
    private const BindingFlags Flags = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    /// <summary>A regression transformer whose scalar <c>Score</c> is the single slot of <see cref="ScoringChain.ScalarInputName"/>.</summary>
    public static ITransformer Regression(MLContext mlContext, DataViewSchema schema)
    {
        var weights = new VBuffer<float>(1, [1f]);
        var model = (LinearRegressionModelParameters)Construct(typeof(LinearRegressionModelParameters),
            [typeof(IHostEnvironment), typeof(VBuffer<float>).MakeByRefType(), typeof(float)], mlContext, weights, 0f);
        return (ITransformer)Construct(typeof(RegressionPredictionTransformer<LinearRegressionModelParameters>),
            [typeof(IHostEnvironment), typeof(LinearRegressionModelParameters), typeof(DataViewSchema), typeof(string)],
            mlContext, model, schema, ScoringChain.ScalarInputName);
    }

    /// <summary>A binary transformer whose scalar <c>Score</c> is the single slot of <see cref="ScoringChain.ScalarInputName"/>
    /// (a logit) and whose <c>PredictedLabel</c> is <c>Score &gt; 0</c>; append <see cref="Probability"/> for <c>Probability</c>.</summary>
    public static ITransformer Binary(MLContext mlContext, DataViewSchema schema)
    {
        var weights = new VBuffer<float>(1, [1f]);
        var model = (LinearBinaryModelParameters)Construct(typeof(LinearBinaryModelParameters),
            [typeof(IHostEnvironment), typeof(VBuffer<float>).MakeByRefType(), typeof(float), typeof(ModelStatisticsBase)],
            mlContext, weights, 0f, null);
        return (ITransformer)Construct(typeof(BinaryPredictionTransformer<LinearBinaryModelParameters>),
            [typeof(IHostEnvironment), typeof(LinearBinaryModelParameters), typeof(DataViewSchema), typeof(string), typeof(float), typeof(string)],
            mlContext, model, schema, ScoringChain.ScalarInputName, 0f, "Score");
    }

    /// <summary>ONNX's <c>[N, 1]</c> network output reaches ML.NET as <c>Vector&lt;Single, 1, 1&gt;</c>; a one-input
    /// <c>Concatenate</c> makes it the plain <c>Vector&lt;Single, 1&gt;</c> (<see cref="ScoringChain.ScalarInputName"/>) a
    /// linear model reads.</summary>
    public static IEstimator<ITransformer> Input(MLContext mlContext) =>
        mlContext.Transforms.Concatenate(ScoringChain.ScalarInputName, ScoringChain.ScoreName);

    /// <summary>Drops the network output and the linear model's input once the scalar columns are written.</summary>
    public static IEstimator<ITransformer> DropTemporaries(MLContext mlContext) =>
        mlContext.Transforms.DropColumns(ScoringChain.ScoreName, ScoringChain.ScalarInputName);

    /// <summary>The sigmoid of <c>Score</c> as <c>Probability</c>: ML.NET's Platt calibrator computes
    /// <c>1 / (1 + exp(slope * Score + offset))</c>.</summary>
    public static IEstimator<ITransformer> Probability(MLContext mlContext) =>
        mlContext.BinaryClassification.Calibrators.Platt(slope: -1, offset: 0);

    /// <summary>Public stand-ins with the same output columns, for <c>GetOutputSchema</c> (they need the label column,
    /// which the network's own schema check requires anyway).</summary>
    public static IEstimator<ITransformer> RegressionSchema(MLContext mlContext, string label) =>
        mlContext.Regression.Trainers.OnlineGradientDescent(labelColumnName: label, featureColumnName: ScoringChain.ScalarInputName);

    /// <inheritdoc cref="RegressionSchema"/>
    public static IEstimator<ITransformer> BinarySchema(MLContext mlContext, string label) =>
        mlContext.BinaryClassification.Trainers.AveragedPerceptron(labelColumnName: label, featureColumnName: ScoringChain.ScalarInputName).Append(Probability(mlContext));

    private static object Construct(Type type, Type[] parameters, params object?[] arguments)
    {
        var constructor = type.GetConstructor(Flags, parameters)
            ?? throw new InvalidOperationException($"This version of ML.NET has no {type.Name}({string.Join(", ", parameters.Select(p => p.Name))}) " +
                "constructor, which the network trainers use to output a scalar Score. Use the Microsoft.ML version this pack was built against.");
        return constructor.Invoke(arguments);
    }
}
