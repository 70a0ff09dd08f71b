using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The few double-precision vector operations that kernels written once for both widths need, as static members of a
/// struct so that a generic kernel compiles to straight 256-bit or 512-bit code (the float counterpart is
/// <see cref="ISimdLanes{TVector}"/>).
/// </summary>
internal interface IDoubleLanes<TVector> where TVector : struct
{
    /// <summary>Count doubles from <paramref name="source"/> + <paramref name="offset"/> (unaligned).</summary>
    static abstract TVector Load(ref double source, nuint offset);

    /// <summary><paramref name="value"/> in every lane.</summary>
    static abstract TVector Broadcast(double value);

    /// <summary>a * b + c, fused (one rounding).</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>c + a * b with two roundings (a product, then a sum), as the portable kernels' unfused tails.</summary>
    static abstract TVector AddProduct(TVector a, TVector b, TVector c);

    /// <summary>Writes the lanes to <paramref name="destination"/> + <paramref name="offset"/> (unaligned).</summary>
    static abstract void Store(TVector value, ref double destination, nuint offset);
}

/// <summary>256-bit double lanes (AVX2).</summary>
internal readonly struct DoubleLanes256 : IDoubleLanes<Vector256<double>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Load(ref double source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Broadcast(double value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> AddProduct(Vector256<double> a, Vector256<double> b, Vector256<double> c) => c + a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
}

/// <summary>512-bit double lanes (AVX-512).</summary>
internal readonly struct DoubleLanes512 : IDoubleLanes<Vector512<double>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Load(ref double source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Broadcast(double value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> AddProduct(Vector512<double> a, Vector512<double> b, Vector512<double> c) => c + a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
}
