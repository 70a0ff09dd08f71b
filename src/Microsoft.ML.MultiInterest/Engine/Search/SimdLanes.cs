using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The few vector operations the tiled search kernel needs, as static members of a struct so that one generic
/// kernel compiles to straight 256-bit or 512-bit code (the JIT specialises generics over structs).
/// </summary>
internal interface ISimdLanes<TVector> where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVector Zero { get; }

    /// <summary>Count floats from <paramref name="source"/> + <paramref name="offset"/> (unaligned).</summary>
    static abstract TVector Load(ref float source, nuint offset);

    /// <summary><paramref name="value"/> in every lane.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary>a * b + c, fused (one rounding), as the scalar reference computes every score.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>One bit per lane: set where <paramref name="values"/> is at least <paramref name="bound"/>.</summary>
    static abstract uint AtLeast(TVector values, TVector bound);

    /// <summary>Writes the lanes to <paramref name="destination"/> + <paramref name="offset"/> (unaligned).</summary>
    static abstract void Store(TVector value, ref float destination, nuint offset);

    /// <summary>a + b, lane by lane.</summary>
    static abstract TVector Add(TVector a, TVector b);

    /// <summary>a * b, lane by lane.</summary>
    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary>0, 1, 2, ... in the lanes.</summary>
    static abstract TVector Indices { get; }

    /// <summary>All bits set in the lanes where <paramref name="a"/> &gt; <paramref name="b"/>, clear elsewhere.</summary>
    static abstract TVector GreaterThan(TVector a, TVector b);

    /// <summary>Lane by lane, <paramref name="a"/> where <paramref name="mask"/> is set, else <paramref name="b"/>.</summary>
    static abstract TVector Select(TVector mask, TVector a, TVector b);

    /// <summary>The largest lane (no NaN lanes).</summary>
    static abstract float MaxAcross(TVector value);
}

/// <summary>256-bit lanes (AVX2 and FMA, or the JIT's emulation elsewhere).</summary>
internal readonly struct Lanes256 : ISimdLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint AtLeast(Vector256<float> values, Vector256<float> bound) => Vector256.GreaterThanOrEqual(values, bound).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    public static Vector256<float> Indices => Vector256<float>.Indices;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> value) => MaxAcross128(Vector128.Max(value.GetLower(), value.GetUpper()));

    /// <summary>The largest of four lanes, by two swaps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float MaxAcross128(Vector128<float> v)
    {
        v = Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        v = Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
        return v.ToScalar();
    }
}

/// <summary>512-bit lanes (AVX-512).</summary>
internal readonly struct Lanes512 : ISimdLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint AtLeast(Vector512<float> values, Vector512<float> bound) => (uint)Vector512.GreaterThanOrEqual(values, bound).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    public static Vector512<float> Indices => Vector512<float>.Indices;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector512<float> value) => Lanes256.MaxAcross(Vector256.Max(value.GetLower(), value.GetUpper()));
}
