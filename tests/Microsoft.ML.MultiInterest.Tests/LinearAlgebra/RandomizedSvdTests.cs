using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.LinearAlgebra;

public class RandomizedSvdTests
{
    /// <summary>A sparse user × item graph with a planted low-rank structure plus noise edges (so the spectrum decays, then flattens).</summary>
    private static BipartiteGraph Graph(int users, int items, int seed)
    {
        var random = new Random(seed);
        var us = new List<int>();
        var its = new List<int>();
        for (int u = 0; u < users; u++)
        {
            int group = u % 5;
            for (int i = 0; i < items; i++)
            {
                bool inGroup = i % 5 == group;
                if (random.NextDouble() < (inGroup ? 0.5 : 0.05)) { us.Add(u); its.Add(i); }
            }
        }
        return BipartiteGraph.FromEdges(users, items, us.ToArray(), its.ToArray());
    }

    private static Matrix<double> Dense(SparseMatrix a)
    {
        var m = Matrix<double>.Build.Dense(a.Rows, a.Columns);
        for (int r = 0; r < a.Rows; r++)
        {
            var cols = a.ColumnsOf(r);
            var vals = a.ValuesOf(r);
            for (int j = 0; j < cols.Length; j++) m[r, cols[j]] = vals[j];
        }
        return m;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LeadingSingularValuesAndSubspace_MatchADenseSvd(int threads)
    {
        var a = SparseMatrix.FromGraph(Graph(70, 50, seed: 3));
        // Rank 5 = the planted groups: a clear gap follows, so the leading subspace is well defined. The randomized
        // error then shrinks like (σ_{k+p+1}/σ_k)^(2q+1): tiny, but not rounding-level.
        const int rank = 5;
        var svd = RandomizedSvd.Compute(a, rank, oversampling: 16, powerIterations: 4, seed: 1, threads: threads);
        var dense = Dense(a).Svd(computeVectors: true);
        for (int k = 0; k < rank; k++)
            Assert.True(Math.Abs(svd.SingularValues[k] - dense.S[k]) <= 1e-7 * dense.S[0], $"sigma_{k}: {svd.SingularValues[k]} vs {dense.S[k]}");

        // Subspaces: ‖U_kᵀ Û_k‖_F² = k when the spans agree (each side orthonormal).
        var u = Matrix<double>.Build.Dense(a.Rows, rank, (r, c) => svd.U[r * rank + c]);
        var v = Matrix<double>.Build.Dense(a.Columns, rank, (r, c) => svd.V[r * rank + c]);
        var uDense = dense.U.SubMatrix(0, a.Rows, 0, rank);
        var vDense = dense.VT.Transpose().SubMatrix(0, a.Columns, 0, rank);
        Assert.Equal(rank, Math.Pow((uDense.Transpose() * u).FrobeniusNorm(), 2), 1e-5);
        Assert.Equal(rank, Math.Pow((vDense.Transpose() * v).FrobeniusNorm(), 2), 1e-5);
        // And U diag(S) Vᵀ is the best rank-k approximation: its error equals the dense one's.
        var approx = u * Matrix<double>.Build.DenseOfDiagonalArray(svd.SingularValues) * v.Transpose();
        var best = uDense * Matrix<double>.Build.DenseOfDiagonalArray(dense.S.Take(rank).ToArray()) * vDense.Transpose();
        Assert.Equal((Dense(a) - best).FrobeniusNorm(), (Dense(a) - approx).FrobeniusNorm(), 1e-6);
    }

    [Fact]
    public void Result_DoesNotDependOnTheThreadCount()
    {
        var a = SparseMatrix.FromGraph(Graph(1500, 700, seed: 5));
        var one = RandomizedSvd.Compute(a, 20, 8, 2, seed: 4, threads: 1);
        var two = RandomizedSvd.Compute(a, 20, 8, 2, seed: 4, threads: 2);
        Assert.Equal(one.SingularValues, two.SingularValues);
        Assert.Equal(one.U, two.U);
        Assert.Equal(one.V, two.V);
    }

    [Fact]
    public void RankDeficientInput_GivesZeroSingularValuesAndFiniteVectors()
    {
        // Three identical users and two identical items: rank 1.
        var graph = BipartiteGraph.FromEdges(3, 2, [0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1]);
        var svd = RandomizedSvd.Compute(SparseMatrix.FromGraph(graph), 2, 4, 2, seed: 1, threads: 1);
        Assert.Equal(Math.Sqrt(6), svd.SingularValues[0], 1e-9);
        Assert.True(svd.SingularValues[1] < 1e-6);
        Assert.All(svd.U.Concat(svd.V), x => Assert.True(double.IsFinite(x)));
    }

    [Fact]
    public void RankAboveTheSmallerSide_IsRejected()
    {
        var a = SparseMatrix.FromGraph(Graph(10, 6, seed: 1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RandomizedSvd.Compute(a, 7, 4, 1, 1, 1));
        Assert.Contains("min(rows, columns) = 6", e.Message);
    }

    [Fact]
    public void Transpose_SwapsRowsAndColumns()
    {
        var a = SparseMatrix.FromGraph(Graph(30, 20, seed: 2));
        Assert.Equal(Dense(a).Transpose(), Dense(a.Transpose()));
    }
}
