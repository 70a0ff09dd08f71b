using System.Globalization;
using MultiInterest.Cli;
using MultiInterest.Cli.Common;

// Every file, plot and message the commands write is data another tool reads: one culture for all of them, whatever the
// machine's (under de-DE the plots read "0,05" beside "0.315" and metrics.json's settings "reg=0,005").
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// Temp files go to a folder of the run's own, removed however the run ends (a signal included, TerminationCleanup).
TerminationCleanup.Install();
using var scratch = ScratchDirectory.Enter();

// The commands, their options and help are declared in CliApp; exit codes: 0 ok, 1 failure, 2 bad usage.
return CliApp.Run(args, CliConsole.System());
