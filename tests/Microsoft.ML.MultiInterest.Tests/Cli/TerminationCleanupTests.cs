using System.Runtime.InteropServices;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// A signal's clean-up against the steps it must not cut in two (<see cref="TerminationCleanup.Tracked"/>, a registry of the
/// test's own: ending the process's would end the test run).
/// </summary>
/// <remarks>
/// Regression (a review): the clean-up took its list of files under the lock and removed them after letting it go, and
/// Deferring did not ask whether an ending had begun. A signal handled just before OutputFile.WriteAllReplacing's moves
/// thus removed partial files while they moved, and the runtime's re-raise of the signal ended the process among them:
/// a program writing 30-file sets, its run's scratch folder holding 3,000 files, left a half-moved set in 6 of 12 runs
/// interrupted at random (the sweep's model.zip of one run beside the leaderboard of another).
/// </remarks>
public sealed class TerminationCleanupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-termination-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AnEndingRemovesWhatIsTrackedAndThenNoDeferredStepRuns()
    {
        var tracked = new TerminationCleanup.Tracked();
        string partial = Path.Combine(_directory, ".partial-model.zip"), folder = Path.Combine(_directory, "scratch");
        File.WriteAllText(partial, "half a zip");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "stage.onnx"), "a graph");
        using var file = tracked.TrackFile(partial);
        using var directory = tracked.TrackDirectory(folder);

        var ending = tracked.End(PosixSignal.SIGINT);
        Assert.Equal(130, ending.Code);
        Assert.Same(ending, tracked.Stopping);
        Assert.False(File.Exists(partial));
        Assert.False(Directory.Exists(folder));
        bool ran = false;
        var refused = Assert.Throws<OperationCanceledException>(() => tracked.Deferring(() => ran = true));
        Assert.False(ran);
        Assert.Equal(ending.Message, refused.Message);
    }

    [Fact]
    public async Task AnEndingThatComesDuringADeferredStepWaitsForItsLastMove()
    {
        var tracked = new TerminationCleanup.Tracked();
        string[] targets = [Path.Combine(_directory, "model.zip"), Path.Combine(_directory, "sweep.json")];
        string[] partials = [.. targets.Select(t => t + ".partial")];
        foreach (string partial in partials) File.WriteAllText(partial, "new");
        var handles = partials.Select(tracked.TrackFile).ToList();
        using var moving = new ManualResetEventSlim();
        using var mayFinish = new ManualResetEventSlim();
        var step = Task.Run(() => tracked.Deferring(() =>
        {
            File.Move(partials[0], targets[0]);
            moving.Set();
            mayFinish.Wait();
            File.Move(partials[1], targets[1]);
            return true;
        }));
        Assert.True(moving.Wait(TimeSpan.FromSeconds(30)));
        var ending = Task.Run(() => tracked.End(PosixSignal.SIGTERM));
        // The ending waits while the step holds the set half moved, and removes nothing under it.
        await Task.WhenAny(ending, Task.Delay(300));
        Assert.False(ending.IsCompleted);
        Assert.Null(tracked.Stopping);
        Assert.True(File.Exists(partials[1]));
        mayFinish.Set();
        Assert.True(await step.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(143, (await ending.WaitAsync(TimeSpan.FromSeconds(30))).Code);
        Assert.All(targets, t => Assert.Equal("new", File.ReadAllText(t)));
        foreach (var handle in handles) handle.Dispose();
    }
}
