using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Part of saved models, not meant to be called directly: turns the one-slot Single vector an ONNX graph
/// returns into a scalar column (ML.NET's ONNX transformer cannot produce scalars). ML.NET finds it by its
/// contract name when a saved model is loaded, so the library must be loadable then.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SingleSlotSingleMapping : CustomMappingFactory<SingleSlotSingleMapping.Slot, SingleSlotSingleMapping.Scalar>
{
    /// <summary>The name saved models refer to this mapping by.</summary>
    public const string ContractName = "Microsoft.ML.MultiInterest.SingleSlotSingle";

    /// <summary>The input column the mapping reads.</summary>
    public const string InputColumn = "__MultiInterest_SingleSlot";

    /// <summary>The output column the mapping writes.</summary>
    public const string OutputColumn = "__MultiInterest_SingleScalar";

    /// <summary>The input row: a one-slot vector.</summary>
    public sealed class Slot
    {
        /// <summary>The vector (length 1).</summary>
        [ColumnName(InputColumn), VectorType(1)]
        public float[] Value { get; set; } = [];
    }

    /// <summary>The output row: its only value.</summary>
    public sealed class Scalar
    {
        /// <summary>The value of the slot.</summary>
        [ColumnName(OutputColumn)]
        public float Value { get; set; }
    }

    /// <summary>The mapping: copies slot 0.</summary>
    /// <returns>A delegate that copies slot 0 of the input vector into the output scalar.</returns>
    public override Action<Slot, Scalar> GetMapping() => static (slot, scalar) => scalar.Value = slot.Value[0];
}

/// <summary>
/// Part of saved models, not meant to be called directly: turns the one-slot text vector an ONNX graph
/// returns into a scalar text column, which MapValueToKey then turns into a scalar key.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SingleSlotTextMapping : CustomMappingFactory<SingleSlotTextMapping.Slot, SingleSlotTextMapping.Scalar>
{
    /// <summary>The name saved models refer to this mapping by.</summary>
    public const string ContractName = "Microsoft.ML.MultiInterest.SingleSlotText";

    /// <summary>The input column the mapping reads.</summary>
    public const string InputColumn = "__MultiInterest_TextSlot";

    /// <summary>The output column the mapping writes.</summary>
    public const string OutputColumn = "__MultiInterest_TextScalar";

    /// <summary>The input row: a one-slot text vector.</summary>
    public sealed class Slot
    {
        /// <summary>The vector (length 1).</summary>
        [ColumnName(InputColumn), VectorType(1)]
        public string[] Value { get; set; } = [];
    }

    /// <summary>The output row: its only value.</summary>
    public sealed class Scalar
    {
        /// <summary>The value of the slot.</summary>
        [ColumnName(OutputColumn)]
        public string Value { get; set; } = "";
    }

    /// <summary>The mapping: copies slot 0.</summary>
    /// <returns>A delegate that copies slot 0 of the input vector into the output scalar.</returns>
    public override Action<Slot, Scalar> GetMapping() => static (slot, scalar) => scalar.Value = slot.Value[0];
}
