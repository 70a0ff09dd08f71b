using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Numeric ids keep their value end to end: 64-bit ids went through double, so ids above 2^53 shared names and ids from
/// 1e15 up were named in E-notation; a trained user was served the popular list and the items came back renamed.
/// </summary>
public class NumericIdTests
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private const long UserBase = 1_234_567_890_123_456_000;
    private const long ItemBase = 9_007_199_254_740_992; // 2^53: its neighbours have no double of their own

    private sealed class Edge
    {
        public long User { get; set; }

        public long Item { get; set; }
    }

    private sealed class UnsignedEdge
    {
        public ulong User { get; set; }

        public ulong Item { get; set; }
    }

    private static IEnumerable<(int User, int Item)> Pairs() => MLNetTestData.Edges().Select(e => (int.Parse(e.User[1..], Invariant), int.Parse(e.Item[1..], Invariant)));

    [Fact]
    public void Int64_ids_above_two_to_the_53_serve_their_own_users_and_name_their_items_exactly()
    {
        var ml = new MLContext(seed: 1);
        var edges = Pairs().Select(p => new Edge { User = UserBase + p.User, Item = ItemBase + p.Item }).ToList();
        var data = ml.Data.LoadFromEnumerable(edges);
        var model = Fit(ml, data);
        var itemIds = edges.Select(e => e.Item.ToString(Invariant)).ToHashSet();
        using var zip = new MemoryStream();
        ml.Model.Save(model, data.Schema, zip);
        zip.Position = 0;
        using var loaded = MultiInterestModel.Load(ml, zip);
        foreach (var recommender in new[] { ml.MultiInterest().CreateRecommender(model), ml.MultiInterest().CreateRecommender(loaded) })
        foreach (var user in edges.Select(e => e.User).Distinct())
        {
            string id = user.ToString(Invariant);
            var list = recommender.Recommend(id);
            Assert.Equal(CandidateSource.Trained, list.Source);
            Assert.All(list.Items, r => Assert.Contains(r.ItemId, itemIds));
            var seen = edges.Where(e => e.User == user).Select(e => e.Item.ToString(Invariant));
            Assert.Empty(list.Items.Select(r => r.ItemId).Intersect(seen));
        }
        // A fresh history of these ids is read as such.
        var fresh = ml.MultiInterest().CreateRecommender(loaded).Recommend("newcomer", [(ItemBase + 1).ToString(Invariant)]);
        Assert.Equal(CandidateSource.History, fresh.Source);

        // The candidates column's KeyValues name the same ids.
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        model.Transform(ml.Data.LoadFromEnumerable(edges)).Schema["Candidates"].Annotations.GetValue("KeyValues", ref names);
        Assert.All(names.DenseValues(), n => Assert.Contains(n.ToString(), itemIds));
    }

    [Fact]
    public void UInt64_ids_above_the_largest_Int64_are_named_exactly()
    {
        var ml = new MLContext(seed: 1);
        const ulong top = ulong.MaxValue - 100;
        var edges = Pairs().Select(p => new UnsignedEdge { User = top + (ulong)p.User, Item = top - 50 + (ulong)p.Item }).ToList();
        var model = Fit(ml, ml.Data.LoadFromEnumerable(edges));
        var recommender = ml.MultiInterest().CreateRecommender(model);
        var list = recommender.Recommend(top.ToString(Invariant));
        Assert.Equal(CandidateSource.Trained, list.Source);
        var itemIds = edges.Select(e => e.Item.ToString(Invariant)).ToHashSet();
        Assert.All(list.Items, r => Assert.Contains(r.ItemId, itemIds));
    }

    [Fact]
    public void Key_names_of_every_integer_type_are_their_invariant_text()
    {
        Assert.Equal(["-3", "20", "9007199254740993"], Names(new long[] { -3, 20, 9_007_199_254_740_993 }));
        Assert.Equal(["7", "18446744073709551615"], Names(new ulong[] { 7, ulong.MaxValue }));
        Assert.Equal(["4294967295", "1"], Names(new uint[] { uint.MaxValue, 1 }));
        Assert.Equal(["1.5", "20", "-3"], Names(new double[] { 1.5, 20, -3 }));
        // A Single is named as the Single it is (it was named by its widened double, "0.10000000149011612").
        Assert.Equal(["0.1", "2.5"], Names(new float[] { 0.1f, 2.5f }));
        // The same ids keyed from another integer type read as the same mapping.
        Assert.Equal(-1, KeyNamesOf(new int[] { 5, 6 }).FirstDifference(KeyNamesOf(new ulong[] { 5, 6 })));
        Assert.Equal(1, KeyNamesOf(new long[] { 5, 9_007_199_254_740_993 }).FirstDifference(KeyNamesOf(new long[] { 5, 9_007_199_254_740_992 })));
    }

    /// <summary>
    /// The names a model fitted before 2026-12-04 saved for 64-bit and fractional Single ids (through double) are told
    /// apart from exact ones, so that MultiInterestModel.Load refuses such a model rather than serve its trained users the
    /// popular list; today's names of the same ids pass.
    /// </summary>
    [Fact]
    public void Lossy_names_of_older_models_are_refused_and_exact_ones_pass()
    {
        Assert.Null(SavedIdNames.Lossy(typeof(long), Names(new long[] { 1_000_000_000_000_112_319, 1_000_000_000_000_112_320, -3 }), "user"));
        Assert.Null(SavedIdNames.Lossy(typeof(float), Names(new float[] { 129.8f, 0.1f, 20 }), "user"));
        Assert.Null(SavedIdNames.Lossy(typeof(string), ["1.5E+18", "a"], "item"));
        Assert.Equal("two users share the name '9007199254740992'",
            SavedIdNames.Lossy(typeof(long), ["9007199254740992", "9007199254740992"], "user"));
        Assert.Equal("the integer item id '1.0000000000098033E+18' is written as a floating-point number",
            SavedIdNames.Lossy(typeof(long), ["5", "1.0000000000098033E+18"], "item"));
        Assert.Equal("the Single user id '129.8000030517578' is not written as the Single it is ('129.8')",
            SavedIdNames.Lossy(typeof(float), ["20", "129.8000030517578"], "user"));
    }

    /// <summary>
    /// A model fitted on key columns given as input (MapValueToKey outside it) loads: its ids are the keys' KeyValues,
    /// text with '.' and 'e' in them or fractional Singles, not integers because the keys are UInt32 (a review found such a
    /// model refused as lossily named).
    /// </summary>
    [Fact]
    public void A_model_fitted_on_key_columns_with_text_or_Single_key_values_loads()
    {
        void RoundTrip<T>(Func<int, T> user, Func<int, T> item)
        {
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(Pairs().Select(p => new Row2<T> { User = user(p.User), Item = item(p.Item) }));
            var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
            var model = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Append(ml.MultiInterest().UnimodalRetriever(5)).Fit(keyed);
            using var zip = new MemoryStream();
            ml.Model.Save(model, keyed.Schema, zip);
            zip.Position = 0;
            using var loaded = MultiInterestModel.Load(ml, zip);
            Assert.Equal(CandidateSource.Trained, ml.MultiInterest().CreateRecommender(loaded).Recommend(Convert.ToString(user(0), Invariant)!).Source);
        }
        RoundTrip(u => $"user.{u}", i => $"item{i}e");
        RoundTrip(u => u + 0.5f, i => i + 0.25f);
    }

    private sealed class Row2<T>
    {
        public T User { get; set; } = default!;

        public T Item { get; set; } = default!;
    }

    private static string[] Names<T>(T[] values) => KeyNamesOf(values).ToArray();

    private static KeyNameList KeyNamesOf<T>(T[] values)
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(values.Select(v => new Row<T> { Id = v }));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Id").Fit(data).Transform(data);
        return KeyNames.Of(keyed.Schema["Id"], values.Length);
    }

    private sealed class Row<T>
    {
        public T Id { get; set; } = default!;
    }

    private static ITransformer Fit(MLContext ml, IDataView raw)
    {
        var pipeline = MLNetTestData.KeyPipeline(ml)
            .Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(5));
        return pipeline.Fit(raw);
    }
}
