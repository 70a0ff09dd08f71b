namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>A progress report of a sweep: sent when a stage is fitted and when a trial ends.</summary>
/// <param name="Message">What happened, one line.</param>
/// <param name="TrialsDone">Trials finished so far.</param>
/// <param name="Trial">The trial that just ended, or null for a stage report.</param>
/// <param name="Best">The best full-fidelity trial so far, or null.</param>
/// <param name="Elapsed">Time since the sweep started.</param>
public sealed record SweepProgress(string Message, int TrialsDone, SweepTrial? Trial, SweepTrial? Best, TimeSpan Elapsed);
