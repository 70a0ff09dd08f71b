namespace Microsoft.ML.MultiInterest;

public static partial class MultiInterestColumnNames
{
    /// <summary>
    /// The columns of a sweep's leaderboard (<see cref="MultiInterestSweepResult.Leaderboard"/>); each searched option
    /// adds a text column named after it (e.g. "lambda").
    /// </summary>
    public static class Leaderboard
    {
        /// <summary>1 = best; full-fidelity trials first, by descending objective: "Rank".</summary>
        public const string Rank = "Rank";

        /// <summary>The trial number, in the order run: "Trial".</summary>
        public const string Trial = "Trial";

        /// <summary>Whether the trial is the defaults configuration: "IsDefaults".</summary>
        public const string IsDefaults = "IsDefaults";

        /// <summary>The successive-halving rung (0 otherwise): "Rung".</summary>
        public const string Rung = "Rung";

        /// <summary>Validation users scored: "Users".</summary>
        public const string Users = "Users";

        /// <summary>Share of the validation users scored: "Fidelity".</summary>
        public const string Fidelity = "Fidelity";

        /// <summary>The optimised figure: "Objective".</summary>
        public const string Objective = "Objective";

        /// <summary>
        /// The objective minus the best trial's, paired user by user (<see cref="Engine.SweepTrial.VersusBest"/>; NaN below
        /// full fidelity): "VersusBest".
        /// </summary>
        public const string VersusBest = "VersusBest";

        /// <summary>The standard error of <see cref="VersusBest"/>: "VersusBestStandardError".</summary>
        public const string VersusBestStandardError = "VersusBestStandardError";

        /// <summary>Validation Recall@K: "Recall".</summary>
        public const string Recall = "Recall";

        /// <summary>Validation NDCG@K: "Ndcg".</summary>
        public const string Ndcg = "Ndcg";

        /// <summary>Validation Diversity@K: "Diversity".</summary>
        public const string Diversity = "Diversity";

        /// <summary>Seconds the trial took: "Seconds".</summary>
        public const string Seconds = "Seconds";

        /// <summary>Seconds it would have taken refitting every stage: "RefitSeconds".</summary>
        public const string RefitSeconds = "RefitSeconds";

        /// <summary>Stages reused from the cache, '+'-separated: "ReusedStages".</summary>
        public const string ReusedStages = "ReusedStages";

        /// <summary>Whether the trial is on the Recall/Diversity Pareto front: "ParetoFront".</summary>
        public const string ParetoFront = "ParetoFront";
    }
}
