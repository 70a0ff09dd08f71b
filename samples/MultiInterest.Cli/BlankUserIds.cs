namespace MultiInterest.Cli;

/// <summary>
/// <c>recommend</c>'s refusal of a blank user id (whitespace only) the model was not trained on, for every scorer: such a
/// line would be served the popular list as a new user, though it almost always lost its id. The library's
/// <c>MultiInterestRecommender.Recommend</c> refuses the same id; this names the users file and its line, before any user is served.
/// </summary>
internal static class BlankUserIds
{
    /// <summary>Refuses the first blank id of <paramref name="blankIdLines"/> (id to its first line) that <paramref name="trained"/> does not know.</summary>
    /// <param name="usersPath">The users file, for the message.</param>
    /// <param name="blankIdLines">The blank ids of the file, each with the line it first appears on (<see cref="ServingData.Users"/>).</param>
    /// <param name="trained">Whether the model was trained on an id; asked only of blank ids.</param>
    /// <exception cref="InvalidDataException">A blank id is not a user of the model.</exception>
    public static void Refuse(string usersPath, IReadOnlyDictionary<string, int> blankIdLines, Func<string, bool> trained)
    {
        foreach (var (id, line) in blankIdLines.OrderBy(b => b.Value))
        {
            if (trained(id)) continue; // the training edges held it (the readers keep ids as written): that user is served
            throw new InvalidDataException($"Users file '{usersPath}', line {line}: the user id '{id.Replace("\t", "\\t")}' is blank (whitespace only) and no user of the model, "
                + "so it would be served the popular list as a new user: the line most likely lost its id. Give the user's id, or remove the line.");
        }
    }
}
