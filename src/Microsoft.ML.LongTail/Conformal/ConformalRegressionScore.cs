namespace Microsoft.ML.LongTail.Conformal;

/// <summary>The non-conformity score of <see cref="ConformalRegressor"/> and the interval it produces.</summary>
public enum ConformalRegressionScore
{
    /// <summary>Split conformal on absolute residuals <c>|y - yhat|</c>: the interval <c>yhat -/+ qhat</c>, of constant width.</summary>
    AbsoluteResidual,

    /// <summary>Normalised residuals <c>|y - yhat| / sigma(x)</c> with a difficulty estimate <c>sigma(x) &gt; 0</c> from a column
    /// (e.g. a second model's predicted absolute residual): the interval <c>yhat -/+ qhat * sigma(x)</c>, wider where the model is
    /// less sure.</summary>
    NormalizedResidual,

    /// <summary>Conformalised quantile regression (Romano et al. 2019) on a lower and an upper quantile prediction:
    /// <c>max(lo - y, y - hi)</c>, the interval <c>[lo - qhat, hi + qhat]</c>.</summary>
    QuantileRegression,
}
