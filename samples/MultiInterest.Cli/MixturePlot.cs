using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// Draws one user's kNN-Embed mixture among its items as a PNG (ScottPlot): the user's training items (coloured by the
/// component whose cluster holds them, grey for clusters outside the mixture), its held-out items, its own vector, the
/// kNN-Embed components sized by weight and, when the run has one, the tuned row's components. Every vector is scaled
/// to unit length (the clusters are spherical) and projected on the first two principal components of the user's items
/// and components (<see cref="PcaProjection"/>).
/// </summary>
internal static class MixturePlot
{
    /// <summary>The method whose mixtures are drawn, and the optional second one.</summary>
    private const string Method = "knn_embed", TunedMethod = "knn_embed_tuned";

    /// <summary>Default of <c>--plot-users</c>.</summary>
    public const int DefaultUsers = 3;

    /// <summary>
    /// The users drawn: test users with at least two kNN-Embed components, most training items first (ties to the
    /// lower row), at most <paramref name="count"/>.
    /// </summary>
    public static IReadOnlyList<int> SelectUsers(ProtocolResult result, BipartiteGraph train, int count)
    {
        var mixtures = Components(result, Method);
        if (mixtures == null || count <= 0) return [];
        return MixtureSample.Select(result.TestUsers, train, mixtures, count);
    }

    /// <summary>
    /// A row's mixtures with component embeddings: its own when the run kept them, else its sample
    /// (<see cref="ProtocolSettings.MixtureSampleUsers"/>); null when it has neither.
    /// </summary>
    private static MixtureTable? Components(ProtocolResult result, string method) =>
        result.Methods.FirstOrDefault(m => m.Name == method) is { } row
            ? row.Mixtures is { HasEmbeddings: true } kept ? kept : row.MixtureSample
            : null;

    /// <summary>Writes <c>mixture_{user}.png</c> (<see cref="FileName"/>) for each user of <see cref="SelectUsers"/> into <paramref name="directory"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Write(string directory, int count, ProtocolResult result, BipartiteGraph train, BipartiteGraph test, IdMap users,
        EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings, ItemClustering clustering, string dataset)
    {
        var written = new List<string>();
        var mixtures = Components(result, Method);
        var tuned = Components(result, TunedMethod);
        foreach (int user in SelectUsers(result, train, count))
        {
            string id = users[user];
            string path = Path.Combine(directory, FileName(id));
            Draw(path, user, id, mixtures!, tuned is { HasEmbeddings: true } ? tuned : null, train, test, userEmbeddings, itemEmbeddings, clustering, dataset);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Longest id a plot's file name keeps whole.</summary>
    private const int MaxIdInFileName = 64;

    /// <summary>
    /// <c>mixture_{id}.png</c>, the characters a file name cannot safely hold replaced by '_'. An id that had to be changed so, or
    /// is longer than <see cref="MaxIdInFileName"/> characters (then cut there), also gets 8 hex digits of its SHA-256, so two
    /// ids never share a file and no name is too long for the file system (a 250-character id once failed the whole run).
    /// </summary>
    internal static string FileName(string id)
    {
        string safe = string.Concat(id.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        if (safe == id && id.Length <= MaxIdInFileName) return $"mixture_{id}.png";
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)))[..8];
        return $"mixture_{safe[..Math.Min(safe.Length, MaxIdInFileName)]}_{hash}.png";
    }

    private static void Draw(string path, int user, string id, MixtureTable mixtures, MixtureTable? tuned, BipartiteGraph train, BipartiteGraph test,
        EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings, ItemClustering clustering, string dataset)
    {
        int d = itemEmbeddings.Dimension;
        var items = train.ItemsOf(user).ToArray();
        int components = mixtures.ComponentCount(user), tunedComponents = tuned?.ComponentCount(user) ?? 0;

        // The fitted points: the unit-length items, then the components (already unit length).
        int fitted = items.Length + components + tunedComponents;
        var points = new float[fitted * d];
        for (int p = 0; p < items.Length; p++) Unit(itemEmbeddings.ReadRow(items[p]), points.AsSpan(p * d, d));
        mixtures.Embeddings(user).CopyTo(points.AsSpan(items.Length * d));
        if (tunedComponents > 0) tuned!.Embeddings(user).CopyTo(points.AsSpan((items.Length + components) * d));
        var frame = PcaProjection.Fit(points, fitted, d);
        var row = new float[d];
        (double X, double Y) At(ReadOnlySpan<float> v)
        {
            Unit(v, row);
            return frame.Project(row);
        }

        // The middle of the frame's x range: a label right of a point in its right half could run past the plot's edge.
        var xs = Enumerable.Range(0, fitted).Select(p => frame.Project(points.AsSpan(p * d, d)).X).ToArray();
        double middleX = (xs.Min() + xs.Max()) / 2;
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var clusters = mixtures.Clusters(user).ToArray();
        var weights = mixtures.Weights(user).ToArray();

        // Items of clusters outside the mixture first, so the coloured ones draw on top.
        var other = items.Where(i => Array.IndexOf(clusters, clustering.ClusterOf(i)) < 0).ToArray();
        if (other.Length > 0)
        {
            var xy = other.Select(i => At(itemEmbeddings.ReadRow(i))).ToArray();
            var markers = plot.Add.Markers(xy.Select(p => p.X).ToArray(), xy.Select(p => p.Y).ToArray(), ScottPlot.MarkerShape.FilledCircle, 6, ScottPlot.Colors.Gray.WithAlpha(0.6));
            markers.LegendText = $"training items of other clusters ({other.Length})";
        }
        for (int j = 0; j < components; j++)
        {
            var color = palette.GetColor(j);
            var member = items.Where(i => clustering.ClusterOf(i) == clusters[j]).ToArray();
            var (cx, cy) = frame.Project(mixtures.Embedding(user, j));
            string legend = string.Create(CultureInfo.InvariantCulture, $"cluster {clusters[j]}: {Counted.Of(member.Length, "training item")}; its component (square) weight {weights[j]:0.00}");
            if (member.Length > 0)
            {
                var xy = member.Select(i => At(itemEmbeddings.ReadRow(i))).ToArray();
                var markers = plot.Add.Markers(xy.Select(p => p.X).ToArray(), xy.Select(p => p.Y).ToArray(), ScottPlot.MarkerShape.FilledCircle, 7, color);
                markers.LegendText = legend;
            }
            // The component: a square sized by its weight, labelled with it; a cluster borrowed from the neighbours has no items of its own.
            var component = plot.Add.Marker(cx, cy, ScottPlot.MarkerShape.FilledSquare, (float)(10 + 30 * weights[j]), color);
            component.MarkerStyle.OutlineColor = ScottPlot.Colors.Black;
            component.MarkerStyle.OutlineWidth = 1.5f;
            if (member.Length == 0) component.LegendText = legend + " (from the neighbours)";
            var label = plot.Add.Text(weights[j].ToString("0.00", CultureInfo.InvariantCulture), cx, cy);
            label.LabelFontSize = 11;
            label.LabelBold = true;
            // Beside the square, on the side of the plot's middle, so it stays inside the frame.
            label.LabelAlignment = cx > middleX ? ScottPlot.Alignment.MiddleRight : ScottPlot.Alignment.MiddleLeft;
            label.OffsetX = cx > middleX ? -12 : 12;
        }
        for (int j = 0; j < tunedComponents; j++)
        {
            var (tx, ty) = frame.Project(tuned!.Embedding(user, j));
            var marker = plot.Add.Marker(tx, ty, ScottPlot.MarkerShape.OpenDiamond, (float)(10 + 30 * tuned.Weights(user)[j]), ScottPlot.Colors.Black);
            marker.MarkerStyle.LineWidth = 2;
            if (j == 0) marker.LegendText = "kNN-Embed (tuned) components (own clusters; size = weight)";
        }
        var heldOut = test.UserCount > user ? test.ItemsOf(user).ToArray() : [];
        if (heldOut.Length > 0)
        {
            var xy = heldOut.Select(i => At(itemEmbeddings.ReadRow(i))).ToArray();
            var markers = plot.Add.Markers(xy.Select(p => p.X).ToArray(), xy.Select(p => p.Y).ToArray(), ScottPlot.MarkerShape.Eks, 8, ScottPlot.Colors.Black);
            markers.LegendText = $"held-out (test) items ({heldOut.Length})";
        }
        var (ux, uy) = At(userEmbeddings.ReadRow(user));
        var self = plot.Add.Marker(ux, uy, ScottPlot.MarkerShape.FilledTriangleUp, 16, ScottPlot.Colors.Black);
        self.LegendText = "the user's own vector (Unimodal)";

        plot.Title($"{dataset}, user {id}: kNN-Embed mixture among {items.Length} training items");
        plot.XLabel($"PCA axis 1 ({Percent(frame.ExplainedVariance1)} of the variance; unit-length vectors)");
        plot.YLabel($"PCA axis 2 ({Percent(frame.ExplainedVariance2)} of the variance)");
        // Room for the weight labels beside the outermost squares.
        plot.Axes.Margins(0.12, 0.08);
        plot.Axes.SquareUnits();
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.SavePng(path, 1250, 850);
    }

    private static string Percent(double share) => (100 * share).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static void Unit(ReadOnlySpan<float> source, Span<float> target)
    {
        double norm = 0;
        foreach (float v in source) norm += (double)v * v;
        float scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0;
        for (int k = 0; k < source.Length; k++) target[k] = source[k] * scale;
    }
}
