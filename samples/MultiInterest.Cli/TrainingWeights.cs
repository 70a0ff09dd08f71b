namespace MultiInterest.Cli;

/// <summary>What a command does with a training file's weight column, for <see cref="TrainingFileChecks"/>.</summary>
internal enum TrainingWeights
{
    /// <summary>The command cannot train on weights (<c>recommend --history</c>: a history is a set of items).</summary>
    NotOffered,

    /// <summary>The command trains on weights with <c>--weights</c>, which was not given: the column is checked, not used.</summary>
    Unused,

    /// <summary><c>--weights</c> was given: the embedding trains on the column (<see cref="WeightedTrainingChecks"/> says what it holds).</summary>
    Trained,
}
