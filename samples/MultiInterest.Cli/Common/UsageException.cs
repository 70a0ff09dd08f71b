namespace MultiInterest.Cli.Common;

/// <summary>A command-line mistake found after parsing (options that go together, a bad combination): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
