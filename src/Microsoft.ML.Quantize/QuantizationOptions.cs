namespace Microsoft.ML.Quantize;

/// <summary>What <see cref="OnnxQuantizer"/> produces.</summary>
public enum QuantizationMode
{
    /// <summary>Static int8 in QDQ format: <c>QuantizeLinear</c>/<c>DequantizeLinear</c> around Conv, MatMul and Gemm,
    /// with activation ranges from calibration data. ONNX Runtime fuses them into <c>QLinearConv</c>,
    /// <c>QLinearMatMul</c> and <c>QGemm</c>. The recommended output.</summary>
    Static,

    /// <summary>Dynamic int8 for MatMul and Gemm: int8 weights, activations quantized at run time
    /// (<c>DynamicQuantizeLinear</c> + <c>MatMulInteger</c>, fused by ONNX Runtime into <c>DynamicQuantizeMatMul</c>).
    /// Needs no calibration data.</summary>
    Dynamic,

    /// <summary>Weight-only int4: MatMul (and Gemm) weights become block-wise <c>MatMulNBits</c> (<c>com.microsoft</c>);
    /// Conv weights become per-channel INT4 tensors read through <c>DequantizeLinear</c> (opset 21). Activations stay
    /// float; needs no calibration data.</summary>
    Int4WeightOnly,
}

/// <summary>How activation ranges are chosen from the calibration data.</summary>
public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum (optionally a moving average of per-batch values).</summary>
    MinMax,

    /// <summary>The <see cref="OnnxQuantizationOptions.Percentile"/> and 100 - percentile quantiles of a histogram.</summary>
    Percentile,

    /// <summary>The clipping range minimising the KL divergence between the float and the quantized histogram,
    /// searched over <see cref="OnnxQuantizationOptions.SearchSteps"/> candidate ranges.</summary>
    Entropy,

    /// <summary>The clipping range minimising the expected squared quantization error (clipping + rounding),
    /// searched over <see cref="OnnxQuantizationOptions.SearchSteps"/> candidate ranges.</summary>
    Mse,
}

/// <summary>The 8-bit type of quantized activations (static mode).</summary>
public enum ActivationType
{
    /// <summary>Unsigned 8-bit, asymmetric (ONNX Runtime's default and fastest on x64).</summary>
    UInt8,

    /// <summary>Signed 8-bit, asymmetric.</summary>
    Int8,
}

/// <summary>Options of <see cref="OnnxQuantizer"/> and of the <c>QuantizeOnnxModel</c> estimator.</summary>
public class OnnxQuantizationOptions
{
    /// <summary>The output kind. Default <see cref="QuantizationMode.Static"/>.</summary>
    public QuantizationMode Mode { get; set; } = QuantizationMode.Static;

    /// <summary>Activation range method (static mode). Default <see cref="CalibrationMethod.MinMax"/>.</summary>
    public CalibrationMethod CalibrationMethod { get; set; } = CalibrationMethod.MinMax;

    /// <summary>With <see cref="CalibrationMethod.MinMax"/>: average per-batch minima and maxima with an exponential
    /// moving average instead of taking the extremes. Default <see langword="false"/>.</summary>
    public bool MovingAverage { get; set; }

    /// <summary>Weight of each new batch in the moving average. Default 0.01.</summary>
    public float MovingAverageConstant { get; set; } = 0.01f;

    /// <summary>With <see cref="CalibrationMethod.Percentile"/>: the upper quantile, in percent. Default 99.999.</summary>
    public double Percentile { get; set; } = 99.999;

    /// <summary>Histogram bins per tensor for the percentile, entropy and MSE methods (memory is bins x tensors,
    /// whatever the amount of data). Default 2048.</summary>
    public int HistogramBins { get; set; } = 2048;

    /// <summary>Candidate clipping ranges tried by the entropy and MSE searches. Default 128.</summary>
    public int SearchSteps { get; set; } = 128;

    /// <summary>Activation type (static mode). Default <see cref="Quantize.ActivationType.UInt8"/>.</summary>
    public ActivationType ActivationType { get; set; } = ActivationType.UInt8;

    /// <summary>One weight scale per output channel (else one per tensor). Default <see langword="true"/>.</summary>
    public bool PerChannel { get; set; } = true;

    /// <summary>With <see cref="PerChannel"/> (static and dynamic int8): a weight gets per-channel scales only when they
    /// cut its squared quantization error at least this many times compared with a single scale; otherwise it gets one
    /// scale. Per-channel scales cost 4 bytes per output channel (and a few graph nodes), which on small convolutions
    /// (a 3x3 depthwise filter has 9 weight bytes per channel) is a large part of the file. 1 (default) means every
    /// weight per-channel; e.g. 8 keeps per-channel scales only where channel ranges differ widely. Values below 1 are
    /// rejected (<see cref="ArgumentOutOfRangeException"/>).</summary>
    public double PerChannelMinErrorReduction { get; set; } = 1;

    /// <summary>Write a compact model: doc strings dropped, the graph's internal tensors (the quantizer's and the model's
    /// own, other than graph inputs and outputs) renamed to the shortest identifiers, node names cleared (names are
    /// optional in ONNX; the report's node names are those of the input model). Graph input and output names never
    /// change, nor does the computation. On small models the
    /// graph's text is a visible part of the file (about 6 % of the PaddleOCR classifier). Default <see langword="true"/>;
    /// <see langword="false"/> keeps the float model's names, with suffixes (<c>_q</c>, <c>_s</c>, <c>_dq</c>...) on the
    /// tensors the quantizer adds.</summary>
    public bool CompactNames { get; set; } = true;

    /// <summary>Remove node attributes that hold their operator's default value (Conv strides and dilations of 1, pads
    /// of 0, group 1, a kernel_shape equal to the weight's, HardSigmoid's alpha 0.2 and beta 0.5...), which the
    /// specification and ONNX Runtime fill in. Default <see langword="true"/>.</summary>
    public bool DropDefaultAttributes { get; set; } = true;

    /// <summary>Store identical initializers once (same data type, shape and bytes, e.g. the zero points of activations
    /// that share one), with every reader pointed at the kept one. Initializers that are graph inputs or outputs are
    /// left alone. Default <see langword="true"/>.</summary>
    public bool DeduplicateInitializers { get; set; } = true;

    /// <summary>Static mode, per-channel weights: compute each int32 bias's scales (input scale × weight scales) in the
    /// graph with a <c>Mul</c> of the two stored scale tensors instead of storing them, 4 bytes less per output channel.
    /// ONNX Runtime folds the Mul into a constant when the session loads, before its QDQ fusion, so the convolutions
    /// still fuse into <c>QLinearConv</c>. Default <see langword="true"/>.</summary>
    public bool ComputedBiasScales { get; set; } = true;

    /// <summary>Static mode: store an int32 bias whose values all fit in 16 (or 8) bits in that narrower type, widened
    /// back to int32 by a <c>Cast</c> in the graph, 2 (or 3) bytes less per output channel. The values are exact; ONNX
    /// Runtime folds the Cast into an int32 constant when the session loads, before its QDQ fusion. Default
    /// <see langword="true"/>.</summary>
    public bool NarrowBiasStorage { get; set; } = true;

    /// <summary>Choose each weight scale by a search minimising the squared weight error (clipping outliers) instead
    /// of the maximum absolute value. Default <see langword="false"/>.</summary>
    public bool WeightClipping { get; set; }

    /// <summary>Operator types to quantize; <see langword="null"/> means <see cref="DefaultStaticOpTypes"/> in static
    /// mode, MatMul and Gemm in dynamic mode, Conv, MatMul and Gemm in int4 mode. Static mode accepts any of
    /// <see cref="StaticOpTypes"/> and MaxPool; dynamic and int4 modes only Conv, MatMul and Gemm (other types are ignored).</summary>
    public IReadOnlyCollection<string>? OpTypesToQuantize { get; set; }

    /// <summary>The operator types to pass as <see cref="OpTypesToQuantize"/> to quantize activation operators too, each
    /// wrapped so that ONNX Runtime's CPU QDQ transformer fuses it: Conv, MatMul, Gemm (int8 weights; →
    /// <c>QLinearConv</c>, <c>QLinearMatMul</c>, <c>QGemm</c>); Add, Mul, GlobalAveragePool, AveragePool, Concat, Sigmoid
    /// (every input and the output quantized, constant inputs stored as 8-bit constants; → <c>QLinearAdd</c>,
    /// <c>QLinearMul</c>, <c>QLinearGlobalAveragePool</c>, <c>QLinearAveragePool</c>, <c>QLinearConcat</c>,
    /// <c>QLinearSigmoid</c>, in <c>com.microsoft</c>); Reshape, Transpose, Flatten, Squeeze, Unsqueeze (the output takes
    /// the input's scale and zero point, so ONNX Runtime drops the pair and runs them on 8-bit data; only where the input
    /// is quantized anyway). MaxPool is handled like the last group when listed explicitly, but is not in this list:
    /// ONNX Runtime's 8-bit MaxPool took 0.15 ms per image on the PaddleOCR classifier against 0.014 ms in float.
    /// With activation operators listed, a Div by a positive scalar constant after a quantized tensor is folded into the
    /// QuantizeLinear scale and a HardSigmoid after a Conv into the Conv (becoming a Clip that the Conv's output range
    /// absorbs). An activation operator whose output is a graph output, or whose inputs are not known to be float32, is
    /// left float. Recommended with <see cref="CalibrationMethod.Mse"/>.</summary>
    public static IReadOnlyList<string> StaticOpTypes { get; } =
        ["Conv", "MatMul", "Gemm", "Add", "Mul", "GlobalAveragePool", "AveragePool", "Concat", "Sigmoid",
         "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze"];

    /// <summary>What <see cref="OpTypesToQuantize"/> = <see langword="null"/> quantizes in static mode: Conv, MatMul and Gemm.</summary>
    public static IReadOnlyList<string> DefaultStaticOpTypes { get; } = ["Conv", "MatMul", "Gemm"];

    /// <summary>Node names to keep in float.</summary>
    public IReadOnlyCollection<string> NodesToExclude { get; set; } = [];

    /// <summary>Operator types to keep in float.</summary>
    public IReadOnlyCollection<string> OpTypesToExclude { get; set; } = [];

    /// <summary>Block size of int4 MatMul weights (a power of two, at least 16); 0 means one block per column
    /// (per-channel). Default 32.</summary>
    public int Int4BlockSize { get; set; } = 32;

    /// <summary>Full shapes (batch dimension first, any value) of model inputs whose other dimensions are symbolic,
    /// e.g. <c>{ ["x"] = [1, 3, 48, 192] }</c>. They are used to batch calibration rows and written into the quantized
    /// model's input declarations (batch dimension symbolic), so ML.NET needs no shape dictionary. Default
    /// <see langword="null"/>: the declared shape, else the calibration column's vector dimensions.</summary>
    public IReadOnlyDictionary<string, int[]>? InputShapes { get; set; }

    /// <summary>SmoothQuant migration strength for MatMul/Gemm inputs in static mode (0 = none moved to the weights,
    /// 1 = all); <see langword="null"/> (default) disables it. 0.5 is the usual choice for activations with outlier channels.</summary>
    public float? SmoothQuantAlpha { get; set; }

    /// <summary>Static mode: quantize each layer alone and report how much the first output changes
    /// (<see cref="QuantizationReport.Sensitivity"/>). Default <see langword="false"/>.</summary>
    public bool SensitivityAnalysis { get; set; }

    /// <summary>Static mode: keep this many of the most sensitive layers in float (runs the sensitivity analysis). Default 0.</summary>
    public int KeepMostSensitiveInFloat { get; set; }

    /// <summary>Calibration rows the sensitivity analysis runs on (the first ones). Default 64.</summary>
    public int SensitivityRows { get; set; } = 64;

    /// <summary>Rows per calibration batch. Default 16.</summary>
    public int CalibrationBatchSize { get; set; } = 16;

    /// <summary>At most this many calibration rows are read. Default 1024.</summary>
    public int MaxCalibrationRows { get; set; } = 1024;

    /// <summary>With a label column: calibrate on a class-balanced sample of at most this many rows per class
    /// (the first rows of each class in data order). Default 0 (no balancing).</summary>
    public int RowsPerClass { get; set; }

    /// <summary>The label column used by <see cref="RowsPerClass"/> (a key, number, Boolean or text). Default <see langword="null"/>.</summary>
    public string? LabelColumnName { get; set; }
}
