using Microsoft.Data.Analysis;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Frames = Microsoft.ML.MultiInterest.MultiInterestColumnNames.Frames;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

public class DataFrameTests
{
    private static (MLContext Ml, ITransformer Model, IDataView Train) Fitted(IDataView? train = null)
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        train ??= ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3, lambda: 0.5))
            .Append(mi.ClusterQuotaRetriever(candidates: 5))
            .Fit(train);
        return (ml, model, train);
    }

    [Fact]
    public void Edges_load_from_a_DataFrame_with_integer_or_string_ids_and_weights()
    {
        var ml = new MLContext(seed: 1);
        var frame = new DataFrame(
            new Int64DataFrameColumn("from", [1, 1, 2]),
            new StringDataFrameColumn("to", ["a", "b", "a"]),
            new DoubleDataFrameColumn("w", [1.0, 2.5, 0.5]));
        var view = ml.MultiInterest().LoadEdges(frame, "from", "to", "w");
        Assert.Equal(["1", "1", "2"], view.GetColumn<string>("User"));
        Assert.Equal(["a", "b", "a"], view.GetColumn<string>("Item"));
        Assert.Equal([1f, 2.5f, 0.5f], view.GetColumn<float>("Weight"));
    }

    [Fact]
    public void Relation_and_timestamp_columns_load_when_named_and_only_then()
    {
        var ml = new MLContext(seed: 1);
        var frame = new DataFrame(
            new StringDataFrameColumn("u", ["x", "x", "y"]),
            new StringDataFrameColumn("i", ["a", "b", "a"]),
            new Int32DataFrameColumn("kind", [1, 2, 1]),
            new StringDataFrameColumn("when", ["1700000000", "2024-01-02T00:00:00Z", "12.5"]));
        var view = ml.MultiInterest().LoadEdges(frame, "u", "i", relationColumnName: "kind", timestampColumnName: "when");
        Assert.Equal(["1", "2", "1"], view.GetColumn<string>(MultiInterestColumnNames.Relation));
        Assert.Equal([1_700_000_000d, 1_704_153_600d, 12.5], view.GetColumn<double>(MultiInterestColumnNames.Timestamp));
        Assert.Null(view.Schema.GetColumnOrNull(MultiInterestColumnNames.Weight));

        var plain = ml.MultiInterest().LoadEdges(frame, "u", "i");
        Assert.Equal(["User", "Item"], plain.Schema.Select(c => c.Name));

        var bad = new DataFrame(new StringDataFrameColumn("u", ["x"]), new StringDataFrameColumn("i", ["a"]), new StringDataFrameColumn("when", ["yesterday"]));
        var e = Assert.Throws<FormatException>(() => ml.MultiInterest().LoadEdges(bad, "u", "i", timestampColumnName: "when"));
        Assert.Contains("row 0", e.Message, StringComparison.Ordinal); // rows from 0, as the frame's other errors count them
        Assert.Contains("'yesterday'", e.Message, StringComparison.Ordinal);
        Assert.Contains("relationColumnName", Assert.ThrowsAny<ArgumentException>(() => ml.MultiInterest().LoadEdges(frame, "u", "i", relationColumnName: "type")).Message,
            StringComparison.Ordinal);
    }

    /// <summary>
    /// Regression (a walkthrough): an Int32 time column went through a Single and came out rounded to 128 s (two distinct
    /// times tied); unsigned and 16-bit integer columns were refused as "not a number". Every integer type is read exactly;
    /// a Single column past 2^24 s, which cannot hold whole seconds (DataFrame.LoadCsv's default for Unix times), is
    /// refused naming the type to load instead; a value that is not finite is refused naming its row.
    /// </summary>
    [Fact]
    public void Numeric_time_columns_are_read_exactly_or_refused()
    {
        var ml = new MLContext(seed: 1);
        DataFrame Frame(DataFrameColumn when) => new(new StringDataFrameColumn("u", ["x", "y", "x", "y"]), new StringDataFrameColumn("i", ["a", "b", "c", "d"]), when);
        double[] Times(DataFrameColumn when) => ml.MultiInterest().LoadEdges(Frame(when), "u", "i", timestampColumnName: "when")
            .GetColumn<double>(MultiInterestColumnNames.Timestamp).ToArray();
        Assert.Equal([1_700_000_001d, 1_700_000_063d, 1_700_000_100d, 1_700_000_127d], Times(new Int32DataFrameColumn("when", [1_700_000_001, 1_700_000_063, 1_700_000_100, 1_700_000_127])));
        Assert.Equal([4_000_000_001d, 1d, 2d, 3d], Times(new UInt32DataFrameColumn("when", [4_000_000_001u, 1u, 2u, 3u])));
        Assert.Equal([-5d, 1d, 2d, 3d], Times(new Int16DataFrameColumn("when", [(short)-5, (short)1, (short)2, (short)3])));
        Assert.Equal([0.5d, 1d, 2d, 16_777_215d], Times(new SingleDataFrameColumn("when", [0.5f, 1f, 2f, 16_777_215f])));

        var single = Assert.ThrowsAny<ArgumentException>(() => Times(new SingleDataFrameColumn("when", [1f, 2f, 1_700_000_000f, 3f])));
        Assert.Contains("'when' is Single", single.Message, StringComparison.Ordinal);
        Assert.Contains("row 2", single.Message, StringComparison.Ordinal);
        Assert.Contains("Int64 or Double", single.Message, StringComparison.Ordinal);
        var nan = Assert.ThrowsAny<ArgumentException>(() => Times(new DoubleDataFrameColumn("when", [1, double.NaN, 2, 3])));
        Assert.Contains("row 1 of the time column 'when' holds NaN", nan.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Regression (a walkthrough): text times were parsed leniently, so 02.01.2024 read as 1 February, "10:30" as today and
    /// "1,5" as 5 January of the current year, and NaN passed. Text is a number or an ISO 8601 date, or refused naming the row
    /// (from 0 in a frame, the file line in a file).
    /// </summary>
    [Theory]
    [InlineData("02/01/2024")]
    [InlineData("02.01.2024")]
    [InlineData("10:30")]
    [InlineData("1,5")]
    [InlineData("Jan 5 2024")]
    [InlineData("NaN")]
    [InlineData("-Infinity")]
    public void Text_times_are_numbers_or_iso_dates(string text)
    {
        var ml = new MLContext(seed: 1);
        var frame = new DataFrame(new StringDataFrameColumn("u", ["x", "y"]), new StringDataFrameColumn("i", ["a", "b"]), new StringDataFrameColumn("when", ["2024-01-02", text]));
        var e = Assert.Throws<FormatException>(() => ml.MultiInterest().LoadEdges(frame, "u", "i", timestampColumnName: "when"));
        Assert.Contains($"row 1 of column 'when' holds '{text}'", e.Message, StringComparison.Ordinal);

        string path = Path.Combine(Path.GetTempPath(), $"times-{Guid.NewGuid():N}.tsv");
        File.WriteAllText(path, $"u\ti\twhen\nx\ta\t2024-01-02\ny\tb\t{text}\n");
        try
        {
            var fromFile = Assert.Throws<InvalidDataException>(() => ml.MultiInterest().LoadEdges(path, "u", "i", timestampColumnName: "when"));
            Assert.Contains("times-", fromFile.Message, StringComparison.Ordinal);
            Assert.Contains(".tsv', line 3:", fromFile.Message, StringComparison.Ordinal);
            Assert.Contains($"the 'when' field holds '{text}'", fromFile.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Iso_dates_read_with_and_without_offsets()
    {
        var ml = new MLContext(seed: 1);
        string[] texts = ["2024-01-02", "2024-01-02T10:30", "2024-01-02 10:30:05.5", "2024-01-02T10:30:05Z", "2024-01-02T10:30:05+01:00", "2024-01-02T10:30:05+0100", "2024-01-02T10:30:05-05"];
        var frame = new DataFrame(new StringDataFrameColumn("u", texts.Select(_ => "x")), new StringDataFrameColumn("i", texts.Select((_, j) => $"i{j}")), new StringDataFrameColumn("when", texts));
        var times = ml.MultiInterest().LoadEdges(frame, "u", "i", timestampColumnName: "when").GetColumn<double>(MultiInterestColumnNames.Timestamp).ToArray();
        Assert.Equal([1_704_153_600d, 1_704_191_400d, 1_704_191_405.5, 1_704_191_405d, 1_704_187_805d, 1_704_187_805d, 1_704_209_405d], times);
    }

    /// <summary>A DateTime column is a time column (a date without a kind read as UTC, as a text date is); a bool one is refused as a time column.</summary>
    [Fact]
    public void A_date_time_column_loads_as_unix_seconds()
    {
        var ml = new MLContext(seed: 1);
        var frame = new DataFrame(
            new StringDataFrameColumn("u", ["x", "y"]),
            new StringDataFrameColumn("i", ["a", "b"]),
            new PrimitiveDataFrameColumn<DateTime>("when", [new DateTime(2024, 1, 2), new DateTime(2024, 1, 2, 0, 0, 1, DateTimeKind.Utc)]));
        var view = ml.MultiInterest().LoadEdges(frame, "u", "i", timestampColumnName: "when");
        Assert.Equal([1_704_153_600d, 1_704_153_601d], view.GetColumn<double>(MultiInterestColumnNames.Timestamp));

        var flags = new DataFrame(new StringDataFrameColumn("u", ["x"]), new StringDataFrameColumn("i", ["a"]), new BooleanDataFrameColumn("when", [true]));
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.MultiInterest().LoadEdges(flags, "u", "i", timestampColumnName: "when"));
        Assert.Contains("the time column 'when' has type Boolean", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Regression (a walkthrough of ids): LoadEdges(path) read through DataFrame.LoadCsv, which trimmed every field, took the
    /// quotes off tab-separated ones and turned bytes that are not UTF-8 into U+FFFD, so " 7", "7\u00A0" and "7" were one
    /// user and cp1252's "café" and "cafè" another. Fields are now kept as written, as the CLI's readers keep them, with a
    /// warning for padded ids; a CSV's quoted fields follow RFC 4180.
    /// </summary>
    [Fact]
    public void File_ids_are_read_exactly_as_written()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        string dir = Path.Combine(Path.GetTempPath(), $"exact-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string tsv = Path.Combine(dir, "e.tsv");
            File.WriteAllText(tsv, "user\titem\n 7\tb \n7\u00A0\tc\n\"q\"\td\n7\te\n");
            var view = ml.MultiInterest().LoadEdges(tsv);
            Assert.Equal([" 7", "7\u00A0", "\"q\"", "7"], view.GetColumn<string>("User"));
            Assert.Equal(["b ", "c", "d", "e"], view.GetColumn<string>("Item"));
            Assert.Contains(warnings, w => w.Contains("2 edge(s) have a user or item id with white space around it (the first: ' 7')", StringComparison.Ordinal));

            string csv = Path.Combine(dir, "e.csv");
            File.WriteAllText(csv, "user,item\n\" 7\",\"a,b\"\n\"say \"\"hi\"\"\",x\nplain,\"\"\"\"\n");
            var quoted = ml.MultiInterest().LoadEdges(csv);
            Assert.Equal([" 7", "say \"hi\"", "plain"], quoted.GetColumn<string>("User"));
            Assert.Equal(["a,b", "x", "\""], quoted.GetColumn<string>("Item"));

            // R's write.table(sep = "\t") quotes the header and every text field: such a file is read with quotes, as a CSV's
            // are; a line of white space only is blank (a review found both refused).
            string r = Path.Combine(dir, "r.tsv");
            File.WriteAllText(r, "\"user\"\t\"item\"\n\"u1\"\t\"i1\"\n  \n\"u 2\"\t\"i\"\"2\"\n");
            var fromR = ml.MultiInterest().LoadEdges(r);
            Assert.Equal(["u1", "u 2"], fromR.GetColumn<string>("User"));
            Assert.Equal(["i1", "i\"2"], fromR.GetColumn<string>("Item"));

            // pandas' to_csv and R's write.csv write an unnamed index column first; a quoted field may hold a line break
            // (Excel's Alt+Enter): both read as the earlier reader read them (a walkthrough found both refused).
            string pandas = Path.Combine(dir, "p.csv");
            File.WriteAllText(pandas, ",user,item,note\n0,u1,i1,\"line one\nline two\"\n1,007,\"i,2\",x\n");
            var fromPandas = ml.MultiInterest().LoadEdges(pandas);
            // A stray quote inside an unquoted field opens nothing: the next line is its own record.
            string stray = Path.Combine(dir, "stray.csv");
            File.WriteAllText(stray, "user,item\nu1,i\"1\nu2,i2\n");
            Assert.Equal(["i\"1", "i2"], ml.MultiInterest().LoadEdges(stray).GetColumn<string>("Item"));
            Assert.Equal(["u1", "007"], fromPandas.GetColumn<string>("User"));
            Assert.Equal(["i1", "i,2"], fromPandas.GetColumn<string>("Item"));

            // A weight is positive and finite, as in the CLI's edge files, said at load with its line; a header alone is no edges.
            string nan = Path.Combine(dir, "nan.csv");
            File.WriteAllText(nan, "user,item,weight\nu1,i1,1\nu2,i2,NaN\n");
            Assert.Contains("line 3: the 'weight' field 'NaN' is not a positive finite number",
                Assert.Throws<InvalidDataException>(() => ml.MultiInterest().LoadEdges(nan, weightColumnName: "weight")).Message, StringComparison.Ordinal);
            // Lines are the file's, blank ones counted, so an editor finds them (a walkthrough found data rows counted instead).
            string blanks = Path.Combine(dir, "blanks.csv");
            File.WriteAllText(blanks, "user,item,weight\n\n\nu1,i1,-3\n");
            Assert.Contains("blanks.csv', line 4: the 'weight' field '-3'", Assert.Throws<InvalidDataException>(() => ml.MultiInterest().LoadEdges(blanks, weightColumnName: "weight")).Message,
                StringComparison.Ordinal);
            // An empty column name is said as such, naming the option (ML.NET called it null).
            Assert.Contains("Option weightColumnName names no column (it is empty)", Assert.Throws<ArgumentException>(() => ml.MultiInterest().LoadEdges(nan, weightColumnName: "")).Message,
                StringComparison.Ordinal);
            string headerOnly = Path.Combine(dir, "header.csv");
            File.WriteAllText(headerOnly, "user,item\n");
            Assert.Contains("has a header ('user,item') but no data lines", Assert.Throws<InvalidDataException>(() => ml.MultiInterest().LoadEdges(headerOnly)).Message,
                StringComparison.Ordinal);

            string latin = Path.Combine(dir, "cp.csv");
            File.WriteAllBytes(latin, [.. "user,item\n"u8, .. "caf"u8, 0xE9, .. ",1\n"u8, .. "caf"u8, 0xE8, .. ",2\n"u8]);
            var e = Assert.Throws<InvalidDataException>(() => ml.MultiInterest().LoadEdges(latin));
            Assert.Contains("is not UTF-8 text", e.Message, StringComparison.Ordinal);
            Assert.Contains("cp.csv", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Regression (a walkthrough of ids): DataFrame.LoadCsv guesses Single for numeric id columns, so 007 and 7, 16777217 and
    /// 16777216 reached LoadEdges as one id each and merged without a word. A floating-point id column is refused.
    /// </summary>
    [Fact]
    public void Floating_point_id_columns_are_refused()
    {
        var ml = new MLContext(seed: 1);
        var frame = new DataFrame(new SingleDataFrameColumn("user", [16_777_217f, 7f]), new StringDataFrameColumn("item", ["a", "b"]));
        var e = Assert.Throws<ArgumentException>(() => ml.MultiInterest().LoadEdges(frame));
        Assert.Contains("userColumnName: the id column 'user' is Single", e.Message, StringComparison.Ordinal);
        var decimals = new DataFrame(new DecimalDataFrameColumn("user", [9007199254740993m, 9007199254740992m]), new StringDataFrameColumn("item", ["a", "b"]));
        Assert.Contains("the id column 'user' is Decimal", Assert.Throws<ArgumentException>(() => ml.MultiInterest().LoadEdges(decimals)).Message, StringComparison.Ordinal);
        // A Char column reaches ML.NET as UInt16 codes: refused for ids, weights and times alike.
        var chars = new DataFrame(new CharDataFrameColumn("user", ['a', 'b']), new StringDataFrameColumn("item", ["x", "y"]));
        Assert.Contains("userColumnName: the column 'user' is Char", Assert.Throws<ArgumentException>(() => ml.MultiInterest().LoadEdges(chars)).Message, StringComparison.Ordinal);
        var doubles = new DataFrame(new StringDataFrameColumn("user", ["u", "v"]), new DoubleDataFrameColumn("item", [1, 2]));
        Assert.Contains("itemColumnName: the id column 'item' is Double", Assert.Throws<ArgumentException>(() => ml.MultiInterest().LoadEdges(doubles)).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Edges_load_from_csv_and_tsv_files()
    {
        var ml = new MLContext(seed: 1);
        string dir = Path.Combine(Path.GetTempPath(), $"frames-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "e.csv"), "user,item,weight\n10,20,1.5\n10,21,1\n10,22,2e3\n");
            File.WriteAllText(Path.Combine(dir, "e.tsv"), "u\ti\nalice\tx\nbob\ty\n");
            var csv = ml.MultiInterest().LoadEdges(Path.Combine(dir, "e.csv"), "user", "item", "weight");
            Assert.Equal(["10", "10", "10"], csv.GetColumn<string>("User"));
            Assert.Equal([1.5f, 1f, 2000f], csv.GetColumn<float>("Weight"));
            var tsv = ml.MultiInterest().LoadEdges(Path.Combine(dir, "e.tsv"), "u", "i");
            Assert.Equal(["x", "y"], tsv.GetColumn<string>("Item"));

            // A .tsv.gz is the same file compressed (tab-separated, as its name under the compression says).
            using (var gz = new System.IO.Compression.GZipStream(File.Create(Path.Combine(dir, "e.tsv.gz")), System.IO.Compression.CompressionLevel.Optimal))
                gz.Write(File.ReadAllBytes(Path.Combine(dir, "e.tsv")));
            var gzipped = ml.MultiInterest().LoadEdges(Path.Combine(dir, "e.tsv.gz"), "u", "i");
            Assert.Equal(tsv.GetColumn<string>("User"), gzipped.GetColumn<string>("User"));
            Assert.Equal(tsv.GetColumn<string>("Item"), gzipped.GetColumn<string>("Item"));

            // A cut .gz and a line the parser cannot read are errors naming the file.
            var whole = File.ReadAllBytes(Path.Combine(dir, "e.tsv.gz"));
            File.WriteAllBytes(Path.Combine(dir, "cut.tsv.gz"), whole[..^6]);
            Assert.Contains("cut.tsv.gz", Assert.Throws<InvalidDataException>(() => ml.MultiInterest().LoadEdges(Path.Combine(dir, "cut.tsv.gz"), "u", "i")).Message);
            File.WriteAllText(Path.Combine(dir, "quote.csv"), "u,i\na,\"b\nc,d\n");
            var unreadable = Assert.Throws<InvalidDataException>(() => ml.MultiInterest().LoadEdges(Path.Combine(dir, "quote.csv"), "u", "i"));
            Assert.Contains("quote.csv", unreadable.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_missing_column_is_named()
    {
        var ml = new MLContext(seed: 1);
        var frame = new DataFrame(new StringDataFrameColumn("User", ["a"]), new StringDataFrameColumn("Item", ["b"]));
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.MultiInterest().LoadEdges(frame, "User", "Product"));
        Assert.Contains("Input column 'Product' (option itemColumnName) was not found in the data; its columns are 'User', 'Item'", e.Message);

        // A name that differs only in case is pointed out.
        var lower = Assert.ThrowsAny<ArgumentException>(() => ml.MultiInterest().LoadEdges(frame, "user", "Item"));
        Assert.Contains("'User' differs only in case", lower.Message);
    }

    [Fact]
    public void A_null_id_or_weight_is_refused_with_its_column_and_row_not_read_as_0_NaN_or_dropped()
    {
        var mi = new MLContext(seed: 1).MultiInterest();
        var integers = new DataFrame(new Int32DataFrameColumn("user", new int?[] { 1, 2, 3 }), new Int32DataFrameColumn("item", new int?[] { 10, null, 30 }));
        var item = Assert.Throws<ArgumentException>(() => mi.LoadEdges(integers, "user", "item"));
        Assert.Equal("itemColumnName", item.ParamName);
        Assert.Contains("Column 'item' (itemColumnName) of the DataFrame holds 1 null value (the first at row 1): every edge needs an item id", item.Message);

        var doubles = new DataFrame(new DoubleDataFrameColumn("user", new double?[] { 1, null }), new StringDataFrameColumn("item", ["a", "b"]));
        Assert.Contains("Column 'user' (userColumnName)", Assert.Throws<ArgumentException>(() => mi.LoadEdges(doubles, "user", "item")).Message);
        var strings = new DataFrame(new StringDataFrameColumn("user", ["u", null, null]), new StringDataFrameColumn("item", ["a", "b", "c"]));
        Assert.Contains("holds 2 null values (the first at row 1)", Assert.Throws<ArgumentException>(() => mi.LoadEdges(strings, "user", "item")).Message);
        var weights = new DataFrame(new StringDataFrameColumn("user", ["u", "v"]), new StringDataFrameColumn("item", ["a", "b"]), new SingleDataFrameColumn("w", new float?[] { 1, null }));
        Assert.Contains("every edge needs a weight", Assert.Throws<ArgumentException>(() => mi.LoadEdges(weights, "user", "item", weightColumnName: "w")).Message);
        var empty = new DataFrame(new StringDataFrameColumn("user", ["u", "v"]), new StringDataFrameColumn("item", ["a", ""]));
        Assert.Contains("Row 1 of column 'item' (itemColumnName) holds an empty value: every edge needs an item id", Assert.Throws<ArgumentException>(() => mi.LoadEdges(empty, "user", "item")).Message);
        // An unnamed column's nulls are not read, so not refused.
        mi.LoadEdges(weights, "user", "item");
    }

    [Fact]
    public void ToDataFrame_refuses_a_negative_row_count_other_than_minus_one()
    {
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        Assert.Equal("maxRows", Assert.Throws<ArgumentOutOfRangeException>(() => ml.MultiInterest().ToDataFrame(view, maxRows: -5)).ParamName);
        Assert.Equal(MLNetTestData.Edges().Count, ml.MultiInterest().ToDataFrame(view, maxRows: -1).Rows.Count);
        Assert.Equal(0, ml.MultiInterest().ToDataFrame(view, maxRows: 0).Rows.Count);
    }

    [Fact]
    public void ToDataFrame_works_on_the_pipeline_output_and_maps_keys_back()
    {
        var (ml, model, train) = Fitted();
        var scored = model.Transform(train);
        Assert.ThrowsAny<Exception>(() => scored.ToDataFrame());   // ML.NET's own: keys are not a supported column type
        var frame = ml.MultiInterest().ToDataFrame(scored);
        Assert.Equal(MLNetTestData.Edges().Count, frame.Rows.Count);
        Assert.Equal(MLNetTestData.Edges().Select(e => e.User), frame["User"].Cast<string>());
        Assert.Equal(MLNetTestData.Edges().Select(e => e.Item), frame["Item"].Cast<string>());
        Assert.Contains(frame.Columns, c => c.Name == MultiInterestColumnNames.Candidates);
        Assert.Contains(frame.Columns, c => c.Name == MultiInterestColumnNames.MixtureWeights);
        Assert.Contains(frame.Columns, c => c.Name == MultiInterestColumnNames.ItemCluster);
    }

    [Fact]
    public void Candidates_and_mixtures_come_out_in_long_format_and_round_trip()
    {
        var (ml, model, train) = Fitted();
        var scored = model.Transform(train);
        var candidates = ml.MultiInterest().CandidatesToDataFrame(scored);
        Assert.Equal(["User", Frames.Rank, "Item", Frames.Score], candidates.Columns.Select(c => c.Name));
        var firstUser = (string)candidates["User"][0];
        var rows = candidates.Rows.Where(r => (string)r[0] == firstUser).ToList();
        Assert.Equal(Enumerable.Range(1, rows.Count), rows.Select(r => (int)r[1]));
        Assert.True(rows.Count <= 5);
        Assert.All(rows, r => Assert.False(float.IsNaN((float)r[3])));

        // Round trip: the candidate frame saved as CSV and read back gives the same rows.
        using var stream = new MemoryStream();
        DataFrame.SaveCsv(candidates, stream, cultureInfo: System.Globalization.CultureInfo.InvariantCulture);
        stream.Position = 0;
        var back = DataFrame.LoadCsv(stream, dataTypes: [typeof(string), typeof(int), typeof(string), typeof(float)], cultureInfo: System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(candidates.Rows.Count, back.Rows.Count);
        Assert.Equal(candidates["Item"].Cast<string>(), back["Item"].Cast<string>());

        var mixtures = ml.MultiInterest().MixturesToDataFrame(scored);
        Assert.Equal(["User", Frames.Component, Frames.Cluster, Frames.Weight], mixtures.Columns.Select(c => c.Name));
        foreach (var group in mixtures.Rows.GroupBy(r => (string)r[0]))
            Assert.Equal(1.0, group.Sum(r => (double)r[3]), 6);

        // Edges from the frame of the candidates feed the loader again.
        var asEdges = ml.MultiInterest().LoadEdges(candidates, "User", "Item");
        Assert.Equal(candidates.Rows.Count, asEdges.GetColumn<string>("User").Count());
    }

    /// <summary>
    /// A values column that does not pair with the keys, entry by entry, is refused naming both options: a shorter one was read
    /// past its end (IndexOutOfRangeException), one of another item type failed in ML.NET's getter ("holds VBuffer`1 values,
    /// not VBuffer`1").
    /// </summary>
    [Fact]
    public void A_values_column_that_does_not_pair_with_the_keys_is_refused_naming_the_options()
    {
        var (ml, model, train) = Fitted();
        var scored = model.Transform(train);
        var mi = ml.MultiInterest();
        var shorter = Assert.Throws<ArgumentException>(() => mi.CandidatesToDataFrame(scored, scoresColumnName: MultiInterestColumnNames.MixtureWeights));
        Assert.Contains("Input column 'MixtureWeights' (option scoresColumnName) must be a vector of 5 Single values, one per entry of 'Candidates' (option candidatesColumnName)", shorter.Message);
        var stage = (CandidateRetrievalTransformer)((IEnumerable<ITransformer>)model).Last();
        var explained = Assert.Throws<ArgumentException>(() => mi.CandidatesToDataFrame(scored, stage, scoresColumnName: MultiInterestColumnNames.UserEmbedding));
        Assert.Contains("(option scoresColumnName) must be a vector of 5 Single values", explained.Message);
        var weights = Assert.Throws<ArgumentException>(() => mi.MixturesToDataFrame(scored, weightsColumnName: MultiInterestColumnNames.MixtureEmbeddings));
        Assert.Contains("Input column 'MixtureEmbeddings' (option weightsColumnName) must be a vector of", weights.Message);
        Assert.Contains("Double values, one per entry of 'MixtureClusters' (option clustersColumnName)", weights.Message);
    }

    [Fact]
    public void Metrics_come_out_as_a_frame()
    {
        var (ml, model, train) = Fitted();
        var scored = model.Transform(train);
        var metrics = ml.MultiInterest().Evaluate(scored, scored, scored, new MultiInterestEvaluatorOptions { Cutoffs = [5] });
        var frame = ml.MultiInterest().MetricsToDataFrame(metrics);
        Assert.Equal([Frames.Metric, Frames.K, Frames.Value], frame.Columns.Select(c => c.Name));
        Assert.Equal(metrics.RecallAtK[5], frame.Rows.Single(r => (string)r[0] == "Recall")[2]);
    }
}
