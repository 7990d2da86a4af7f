namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>How <see cref="LabelShiftCorrectionEstimator"/> estimates the target class priors.</summary>
public enum LabelShiftMethod
{
    /// <summary>Expectation-maximisation of Saerens, Latinne and Decaestecker (2002) on the target rows' probabilities
    /// (<see cref="EmPriorEstimator"/>); needs calibrated probabilities.</summary>
    ExpectationMaximization,

    /// <summary>Black-box shift estimation of Lipton, Wang and Smola (2018) from the confusion matrix on labelled source
    /// validation data and the predicted-class distribution on the target rows (<see cref="BlackBoxShiftEstimator"/>); needs
    /// only hard predictions.</summary>
    BlackBoxShiftEstimation,
}
