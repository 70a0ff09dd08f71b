using MultiInterest.Benchmarks;

// Benchmark and tuning harness. Commands:
//   embed --train FILE --test FILE [--dim N --epochs N --loss ranking|logistic|softmax --optimizer adagrad|sgd
//         --lr X --margin X --chunk N --uniform N --degree N --degree-exponent X --batch N --init X
//         --seed N --threads N --verbose]
//   kmeans --vectors FILE.tsv --clusters N [--iterations N (20) --threads N (2) --seed N (0)]
//         (spherical k-means, tolerance 0; benchmarks/peers runs it beside FAISS and scikit-learn)
const string Usage = "usage: embed --train FILE --test FILE [--dim N --epochs N --loss L --lr X --threads N --seed N ...]\n"
    + "       kmeans --vectors FILE.tsv --clusters N [--iterations N --threads N --seed N]";
if (args.Length == 0 || args[0] is not ("embed" or "kmeans"))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
try
{
    return args[0] == "embed" ? EmbedCommand.Run(args[1..]) : KMeansCommand.Run(args[1..]);
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
