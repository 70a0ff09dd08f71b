using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class OneBatchAheadTests
{
    private sealed class Output : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void OneBatchRunsAtATimeAndItsOutputsLiveUntilItEnds()
    {
        var done = new List<int>();
        var outputs = Enumerable.Range(0, 5).Select(_ => new Output()).ToArray();
        using (var ahead = new OneBatchAhead())
        {
            for (int b = 0; b < outputs.Length; b++)
            {
                int batch = b;
                var held = outputs[b];
                ahead.Start(() =>
                {
                    Assert.False(held.Disposed);
                    Thread.Sleep(5);
                    lock (done) done.Add(batch);
                }, held);
                // The previous batch has finished and been released; this one is still held.
                Assert.All(outputs[..b], o => Assert.True(o.Disposed));
            }
            ahead.Finish();
        }
        Assert.Equal([0, 1, 2, 3, 4], done);
        Assert.All(outputs, o => Assert.True(o.Disposed));
    }

    [Fact]
    public void AFailedBatchIsRethrownAndEveryOutputReleased()
    {
        var first = new Output();
        var second = new Output();
        using var ahead = new OneBatchAhead();
        ahead.Start(() => throw new InvalidOperationException("batch 0 failed"), first);
        var error = Assert.Throws<InvalidOperationException>(() => ahead.Start(() => { }, second));
        Assert.Equal("batch 0 failed", error.Message);
        Assert.True(first.Disposed && second.Disposed);
        ahead.Finish(); // nothing in flight any more
    }
}
