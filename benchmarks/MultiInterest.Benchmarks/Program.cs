using MultiInterest.Benchmarks;

// Benchmark and tuning harness. Commands:
//   embed --train FILE --test FILE [--dim N --epochs N --loss ranking|logistic|softmax --optimizer adagrad|sgd
//         --lr X --margin X --chunk N --uniform N --degree N --degree-exponent X --batch N --init X
//         --seed N --threads N --verbose]
if (args.Length == 0 || args[0] != "embed")
{
    Console.Error.WriteLine("usage: embed --train FILE --test FILE [--dim N --epochs N --loss L --lr X --threads N --seed N ...]");
    return 2;
}
try
{
    return EmbedCommand.Run(args[1..]);
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
