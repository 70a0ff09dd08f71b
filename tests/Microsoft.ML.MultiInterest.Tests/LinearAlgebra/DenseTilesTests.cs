using System.Runtime.Intrinsics;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.LinearAlgebra;

/// <summary>The tiled AVX-512 and AVX2 kernels must give the portable kernels' results bit for bit (figures must not move with the hardware path).</summary>
public class DenseTilesTests
{
    [Theory]
    // 512: the AVX-512 tiles (DenseTiles), 256: the AVX2 ones (DenseTiles256); each runs where its vectors are accelerated.
    [InlineData(512, 0, 1, 5)]
    [InlineData(512, 0, 7, 33)]
    [InlineData(512, 3, 258, 64)]
    [InlineData(512, 5, 700, 131)]
    [InlineData(512, 0, 513, 96)]
    [InlineData(256, 0, 1, 5)]
    [InlineData(256, 0, 7, 33)]
    [InlineData(256, 3, 258, 64)]
    [InlineData(256, 5, 700, 131)]
    [InlineData(256, 0, 513, 98)]
    public void GramTilesEqualThePortableKernelBitForBit(int bits, int from, int to, int width)
    {
        if (bits == 512 ? !Vector512.IsHardwareAccelerated : !(Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported)) return;
        var y = DenseValues.Uniform(to * width, width);
        var portable = new double[width * width];
        var tiled = new double[width * width];
        DenseRows.AccumulateUpper(y, from, to, width, portable);
        if (bits == 512) DenseTiles.AccumulateUpper(y, from, to, width, tiled);
        else DenseTiles256.AccumulateUpper(y, from, to, width, tiled);
        for (int i = 0; i < width; i++)
            for (int j = i; j < width; j++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(portable[i * width + j]), BitConverter.DoubleToInt64Bits(tiled[i * width + j]));
    }

    [Theory]
    // 512: the AVX-512 tiles (DenseTiles), 256: the AVX2 ones (DenseTiles256); each runs where its vectors are accelerated.
    [InlineData(512, 0, 1, 5, 3)]
    [InlineData(512, 0, 9, 40, 33)]
    [InlineData(512, 2, 300, 128, 128)]
    [InlineData(512, 0, 257, 70, 200)]
    [InlineData(256, 0, 1, 5, 3)]
    [InlineData(256, 0, 9, 40, 33)]
    [InlineData(256, 2, 300, 128, 128)]
    [InlineData(256, 1, 258, 70, 203)]
    public void ProductTilesEqualThePortableKernelBitForBit(int bits, int from, int to, int width, int outWidth)
    {
        if (bits == 512 ? !Vector512.IsHardwareAccelerated : !Vector256.IsHardwareAccelerated) return;
        var y = DenseValues.Uniform(to * width, width + (bits == 512 ? 1 : 3));
        var m = DenseValues.Uniform(width * outWidth, outWidth + (bits == 512 ? 2 : 4));
        var portable = new double[to * outWidth];
        var tiled = new double[to * outWidth];
        DenseRows.MultiplyRightRows(y, from, to, width, m, outWidth, portable);
        if (bits == 512) DenseTiles.MultiplyRight(y, from, to, width, m, outWidth, tiled);
        else DenseTiles256.MultiplyRight(y, from, to, width, m, outWidth, tiled);
        Assert.Equal(portable.Select(BitConverter.DoubleToInt64Bits), tiled.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(64)]
    [InlineData(72)]
    [InlineData(128)]
    public void SymmetricMultiplyIsTheMatrixVectorProduct(int d)
    {
        var half = DenseValues.Uniform(d * d, d);
        var g = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) g[i * d + j] = half[Math.Min(i, j) * d + Math.Max(i, j)];
        var v = DenseValues.Uniform(d, d + 5);
        var result = new double[d];
        DenseRows.SymmetricMultiply(g, d, v, result);
        for (int i = 0; i < d; i++)
        {
            double expected = 0;
            for (int j = 0; j < d; j++) expected += g[i * d + j] * v[j];
            Assert.Equal(expected, result[i], 1e-12);
        }
    }

    [Theory]
    [InlineData(13, 5)]
    [InlineData(64, 4)]
    [InlineData(72, 9)]
    [InlineData(128, 7)]
    [InlineData(200, 3)]
    public void BatchedSymmetricMultiplyEqualsOneVectorAtATimeBitForBit(int d, int count)
    {
        var g = DenseValues.Uniform(d * d, d);
        var vectors = DenseValues.Uniform(count * d, d + 1);
        var batched = new double[count * d];
        DenseRows.SymmetricMultiply(g, d, vectors, batched, count);
        var single = new double[d];
        for (int t = 0; t < count; t++)
        {
            DenseRows.SymmetricMultiply(g, d, vectors.AsSpan(t * d, d), single);
            Assert.Equal(single.Select(BitConverter.DoubleToInt64Bits), batched.Skip(t * d).Take(d).Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Theory]
    [InlineData(13, 5)]
    [InlineData(64, 4)]
    [InlineData(72, 9)]
    [InlineData(130, 4)]
    public void TheAvx2KernelsGiveThePortablePathsSumsBitForBit(int d, int count)
    {
        // The portable path: each output summed over j ascending from zero, a product then a sum per term (unfused, as
        // TensorPrimitives.MultiplyAdd is). The 256-bit kernels must give exactly that; their rest is the portable path itself.
        if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) return;
        var g = DenseValues.Uniform(d * d, d + 2);
        var vectors = DenseValues.Uniform(count * d, d + 3);
        var expected = new double[count * d];
        for (int t = 0; t < count; t++)
            for (int i = 0; i < d; i++)
            {
                double sum = 0;
                for (int j = 0; j < d; j++) sum = g[j * d + i] * vectors[t * d + j] + sum;
                expected[t * d + i] = sum;
            }
        var four = new double[4 * d];
        for (int k = 0; k + 8 <= d; k += 8)
        {
            DenseTiles256.MultiplyColumns4x2(g, d, vectors, four, k);
            for (int t = 0; t < 4 && t < count; t++)
                Assert.Equal(expected.Skip(t * d + k).Take(8).Select(BitConverter.DoubleToInt64Bits), four.Skip(t * d + k).Take(8).Select(BitConverter.DoubleToInt64Bits));
        }
        var one = new double[d];
        for (int k = 0; k + 16 <= d; k += 16)
        {
            DenseTiles256.MultiplyColumns4(g, d, vectors.AsSpan(0, d), one, k);
            Assert.Equal(expected.Skip(k).Take(16).Select(BitConverter.DoubleToInt64Bits), one.Skip(k).Take(16).Select(BitConverter.DoubleToInt64Bits));
        }
        // Through the dispatch too, where AVX-512 does not take over (it fuses its multiply-adds).
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;
        var batched = new double[count * d];
        DenseRows.SymmetricMultiply(g, d, vectors, batched, count);
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), batched.Select(BitConverter.DoubleToInt64Bits));
    }
}
