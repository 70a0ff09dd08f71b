using System.Globalization;
using MultiInterest.Benchmarks;
using MultiInterest.Cli.Common;

// JSON and tables in one culture whatever the machine's, as the CLI's.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// Benchmark and tuning harness; `--help` lists the commands, `COMMAND --help` a command's options. Exit codes: 0 ok, 1 failure, 2 bad usage.
var root = CliRunner.Root("MultiInterest.Benchmarks", "Benchmark and tuning harness: every command but kernels and divide-conquer prints one JSON object on standard output (divide-conquer prints a table, its JSON with --out).");
root.Subcommands.Add(EmbedCommand.Create());
root.Subcommands.Add(KMeansCommand.Create());
root.Subcommands.Add(KnnCommand.Create());
root.Subcommands.Add(SynthCommand.Create());
root.Subcommands.Add(ScaleCommand.Create());
root.Subcommands.Add(KeyRangeCommand.Create());
root.Subcommands.Add(DivideConquerCommand.Create());
root.Subcommands.Add(LatencyCommand.Create());
root.Subcommands.Add(NewUserHistoryCommand.Create());
root.Subcommands.Add(NewUserOnnxCommand.Create());
root.Subcommands.Add(LargeExportCommand.Create());
root.Subcommands.Add(OpenOnnxCommand.Create());
root.Subcommands.Add(TransformGuardCommand.Create());
root.Subcommands.Add(KernelsCommand.Create());
return CliRunner.Run(root, args, CliConsole.System());
