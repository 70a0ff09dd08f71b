using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads each test user's representation (first row of the user) from the mixture columns or the user
/// embedding column, as <see cref="MultiInterestEvaluatorOptions.Representation"/> chooses. Every later row of the user
/// must repeat it (compared by fingerprint) unless a stage marked the columns as looked up by the user key
/// (<see cref="PerKeyAnnotation"/>).
/// </summary>
internal static class RepresentationReader
{
    /// <summary>
    /// A representation column the options asked for (Auto asks only for columns the view has): a missing one is refused
    /// saying that the option chose it and how to score lists that have no representation, such as a ranker's re-ranked lists.
    /// </summary>
    private static DataViewSchema.Column Needed(Func<DataViewSchema.Column> check, UserRepresentation kind, string parameter, string source)
    {
        try
        {
            return check();
        }
        catch (ArgumentException e) when (e.ParamName == "schema")
        {
            string found = e.Message.Replace(" (Parameter 'schema')", "", StringComparison.Ordinal);
            throw new ArgumentException($"Representation = {kind} computes the goodness of fit (EMD) from a column of {source}: {found} "
                + "Set Representation = None to score lists without a representation (re-ranked lists, for example), or Auto to use the columns the view has.", parameter, e);
        }
    }

    /// <summary>The representations of <paramref name="heldOut"/>'s test users, or null when none is evaluated.</summary>
    /// <param name="view">The view holding the representation columns.</param>
    /// <param name="parameter">The parameter that passed <paramref name="view"/>.</param>
    /// <param name="source">How to name <paramref name="view"/> in messages.</param>
    /// <param name="o">The options.</param>
    /// <param name="heldOut">The test users.</param>
    /// <param name="dimension">d, the item embedding dimension.</param>
    public static UserRepresentations? Read(IDataView view, string parameter, string source, MultiInterestEvaluatorOptions o, HeldOutEdges heldOut, int dimension)
    {
        var schema = view.Schema;
        var kind = Resolve(schema, o);
        if (kind == UserRepresentation.None) return null;
        var user = ColumnChecks.Key(schema, o.UserColumnName, nameof(o.UserColumnName), out _);
        KeyTypeMatch.Same(new(user, $"Column '{o.UserColumnName}' of {source}"), new(heldOut.UserColumn, $"column '{o.UserColumnName}' of the held-out edges"));
        var columns = new List<DataViewSchema.Column> { user };
        if (kind == UserRepresentation.Mixture)
        {
            int m = 0, size = 0;
            columns.Add(Needed(() => ColumnChecks.DoubleVector(schema, o.MixtureWeightsColumnName, nameof(o.MixtureWeightsColumnName), out m), kind, parameter, source));
            columns.Add(Needed(() => ColumnChecks.FloatVector(schema, o.MixtureEmbeddingsColumnName, nameof(o.MixtureEmbeddingsColumnName), out size), kind, parameter, source));
            ColumnChecks.SameSize(o.MixtureEmbeddingsColumnName, nameof(o.MixtureEmbeddingsColumnName), m * dimension, size);
        }
        else
        {
            int size = 0;
            columns.Add(Needed(() => ColumnChecks.FloatVector(schema, o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName), out size), kind, parameter, source));
            ColumnChecks.SameSize(o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName), dimension, size);
        }

        var indexOfUser = CandidateListReader.IndexOfUser(heldOut);
        var points = new float[heldOut.Users.Length][];
        var weights = kind == UserRepresentation.Mixture ? new double[heldOut.Users.Length][] : null;
        // Each user's first row's fingerprints (vectors, weights), to compare its later rows with (the mixture is kept
        // compacted, not as read); one per column, so that a refusal names the column that differs.
        (int Points, int Weights)[]? fingerprints = columns.Skip(1).All(c => PerKeyAnnotation.Holds(c, user)) ? null : new (int, int)[points.Length];
        var pointsColumn = kind == UserRepresentation.Mixture
            ? (o.MixtureEmbeddingsColumnName, nameof(o.MixtureEmbeddingsColumnName)) : (o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName));
        var weightsColumn = (o.MixtureWeightsColumnName, nameof(o.MixtureWeightsColumnName));
        using (var cursor = view.GetRowCursor(columns))
        {
            var getUser = cursor.GetGetter<uint>(user);
            var getPoints = cursor.GetGetter<VBuffer<float>>(columns[^1]);
            var getWeights = weights == null ? null : cursor.GetGetter<VBuffer<double>>(columns[1]);
            var pointScratch = new float[((VectorDataViewType)columns[^1].Type).Size];
            var weightScratch = getWeights == null ? [] : new double[((VectorDataViewType)columns[1].Type).Size];
            uint key = 0;
            VBuffer<float> p = default;
            VBuffer<double> w = default;
            while (cursor.MoveNext())
            {
                getUser(ref key);
                if (key == 0 || indexOfUser[key - 1] is not (>= 0 and var q) || (points[q] != null && fingerprints == null)) continue;
                getPoints(ref p);
                var owner = (user, heldOut.UserCount, heldOut.Users[q]);
                VectorRows.Copy(in p, pointScratch, pointsColumn, "user", owner, parameter);
                getWeights?.Invoke(ref w);
                if (getWeights != null) VectorRows.Copy(in w, weightScratch, weightsColumn, "user", owner, parameter);
                var fingerprint = fingerprints == null ? default
                    : (EntityRows.Fingerprint<float, byte>(pointScratch, []), EntityRows.Fingerprint<double, byte>(weightScratch, []));
                if (points[q] != null)
                {
                    if (fingerprint != fingerprints![q])
                        throw EntityRows.Differ(fingerprint.Item1 != fingerprints[q].Points ? pointsColumn : weightsColumn, "user", (user, heldOut.UserCount, heldOut.Users[q]),
                            "its first row and a later one differ", kind == UserRepresentation.Mixture ? "mixture" : "vector", parameter);
                    continue;
                }
                if (fingerprints != null) fingerprints[q] = fingerprint;
                points[q] = pointScratch.ToArray();
                if (getWeights != null)
                    (points[q], weights![q]) = PositiveComponents(points[q], weightScratch.ToArray(), dimension, () => heldOut.DescribeUser(q), o);
            }
        }

        for (int q = 0; q < points.Length; q++)
        {
            if (points[q] == null)
                throw new ArgumentException($"Test user {heldOut.DescribeUser(q)} has held-out edges but no row in {source}, so it has no {kind.ToString().ToLowerInvariant()} "
                    + $"representation for the goodness of fit (set {nameof(o.Representation)} to None to skip it).");
            foreach (float v in points[q])
            {
                if (!float.IsFinite(v))
                    throw new ArgumentException($"Test user {heldOut.DescribeUser(q)} has a non-finite value in column "
                        + $"'{(kind == UserRepresentation.Mixture ? o.MixtureEmbeddingsColumnName : o.UserEmbeddingColumnName)}' of {source}.");
            }
        }
        return new UserRepresentations(kind, points, weights);
    }

    private static UserRepresentation Resolve(DataViewSchema schema, MultiInterestEvaluatorOptions o)
    {
        if (o.Representation != UserRepresentation.Auto) return o.Representation;
        if (schema.GetColumnOrNull(o.MixtureWeightsColumnName) != null && schema.GetColumnOrNull(o.MixtureEmbeddingsColumnName) != null)
            return UserRepresentation.Mixture;
        return schema.GetColumnOrNull(o.UserEmbeddingColumnName) != null ? UserRepresentation.Unimodal : UserRepresentation.None;
    }

    /// <summary>Drops padding components (weight 0); throws on a negative or non-finite weight or when none is left (<paramref name="user"/> names the user then).</summary>
    private static (float[] Points, double[] Weights) PositiveComponents(float[] points, double[] weights, int dimension, Func<string> user, MultiInterestEvaluatorOptions o)
    {
        var keptPoints = new List<float>();
        var keptWeights = new List<double>();
        for (int c = 0; c < weights.Length; c++)
        {
            if (!(weights[c] >= 0 && double.IsFinite(weights[c])))
                throw new ArgumentException($"Test user {user()} has the weight {weights[c]} in column '{o.MixtureWeightsColumnName}' (option {nameof(o.MixtureWeightsColumnName)}): "
                    + "weights must be finite and non-negative.");
            if (weights[c] == 0) continue;
            keptWeights.Add(weights[c]);
            keptPoints.AddRange(points.AsSpan(c * dimension, dimension));
        }
        if (keptWeights.Count == 0)
            throw new ArgumentException($"Test user {user()} has no component with a positive weight in column '{o.MixtureWeightsColumnName}' "
                + $"(option {nameof(o.MixtureWeightsColumnName)}), so its goodness of fit is undefined.");
        return (keptPoints.ToArray(), keptWeights.ToArray());
    }
}
