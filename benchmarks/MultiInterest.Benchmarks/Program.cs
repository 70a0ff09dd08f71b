using MultiInterest.Benchmarks;

// Benchmark and tuning harness; `--help` lists the commands and their options (Usage.cs).
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage.Text);
    return 2;
}
if (args[0] == "help" || (args[0] != "kernels" && args.Any(a => a is "-h" or "--help")))
{
    Console.WriteLine(Usage.Text);
    return 0;
}
try
{
    return args[0] switch
    {
        "embed" => EmbedCommand.Run(args[1..]),
        "kmeans" => KMeansCommand.Run(args[1..]),
        "knn" => KnnCommand.Run(args[1..]),
        "synth" => SynthCommand.Run(args[1..]),
        "scale" => ScaleCommand.Run(args[1..]),
        "kernels" => KernelsCommand.Run(args[1..]),
        "divide-conquer" => DivideConquerCommand.Run(args[1..]),
        _ => throw new ArgumentException($"Unknown command '{args[0]}'."),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException or KeyNotFoundException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Run with --help for the commands and their options.");
    return 2;
}
