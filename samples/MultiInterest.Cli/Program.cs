using MultiInterest.Cli;
using MultiInterest.Cli.Common;

// The commands, their options and help are declared in CliApp; exit codes: 0 ok, 1 failure, 2 bad usage.
return CliApp.Run(args, CliConsole.System());
