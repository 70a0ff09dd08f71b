using System.Text;
using System.Text.RegularExpressions;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// Every CLI command line written in README.md and docs/*.md still parses against the real command tree: the option
/// names and values the documents show are ones the commands accept (the pages are read, nothing is run).
/// </summary>
public sealed partial class DocumentedCommandLineTests
{
    [Fact]
    public void Every_documented_cli_command_line_parses()
    {
        var commands = DocumentedCommands().ToList();
        Assert.True(commands.Count >= 20, $"Only {commands.Count} documented command lines were found: the extraction broke.");
        var failures = new List<string>();
        foreach (var (source, args) in commands)
        {
            var parse = CliHarness.Parse([.. args]);
            if (parse.Errors.Count > 0) failures.Add($"{source}: {string.Join(' ', args)} -> {parse.Errors[0].Message}");
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>The arguments after <c>samples/MultiInterest.Cli --</c>, <c>$CLI</c> or <c>multiinterest</c>, with shell continuations joined.</summary>
    private static IEnumerable<(string Source, string[] Args)> DocumentedCommands()
    {
        string root = RepositoryRoot();
        var pages = new[] { Path.Combine(root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md"));
        foreach (string page in pages)
        {
            var lines = File.ReadAllLines(page);
            for (int n = 0; n < lines.Length; n++)
            {
                var match = CommandStart().Match(lines[n]);
                if (!match.Success) continue;
                bool inline = match.Groups["tick"].Success;
                var text = new StringBuilder(lines[n][(match.Index + match.Length)..]);
                // A shell continuation, or inline code that goes on to the next line.
                while (n + 1 < lines.Length && (text.ToString().TrimEnd().EndsWith('\\') || (inline && !text.ToString().Contains('`', StringComparison.Ordinal))))
                {
                    string current = text.ToString().TrimEnd();
                    text.Clear().Append(current.EndsWith('\\') ? current[..^1] : current).Append(' ').Append(lines[++n].Trim());
                }
                // Inline code ends at its backtick (which may open on an earlier line); a shell comment ends a code line.
                string command = text.ToString().Split('`')[0].Split(" #")[0];
                var args = Tokens(command);
                // A command named alone (`multiinterest split`), placeholders (`<command> ...`, `help COMMAND`) and quoted
                // examples in prose are not command lines.
                if (args.Count < 2 || args.Any(a => a.Length > 1 && a.All(char.IsUpper)) || args.Any(a => a.Contains("...", StringComparison.Ordinal) || a.StartsWith('<') || a.Contains('$', StringComparison.Ordinal))) continue;
                yield return ($"{Path.GetFileName(page)}:{n + 1}", [.. args]);
            }
        }
    }

    /// <summary>Shell-like words: whitespace-separated, double or single quotes group.</summary>
    private static List<string> Tokens(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char quote = '\0';
        bool any = false;
        foreach (char c in command.Trim())
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else word.Append(c);
            }
            else if (c is '"' or '\'') { quote = c; any = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (any || word.Length > 0) words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else word.Append(c);
        }
        if (any || word.Length > 0) words.Add(word.ToString());
        // Redirections and pipes end the command.
        int end = words.FindIndex(w => w is ">" or "|" or "2>" or "&&" or ";" || w.StartsWith('>'));
        return end < 0 ? words : words[..end];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLMultiInterest.sln"))) return dir.FullName;
        throw new InvalidOperationException("MLMultiInterest.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"(?<tick>`)?(?:[^`]*?samples/MultiInterest\.Cli --(?!\S)|\$CLI(?= )|(?<![\w/.'-])multiinterest(?= [a-z]))")]
    private static partial Regex CommandStart();
}
