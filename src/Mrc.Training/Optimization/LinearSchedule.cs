namespace Mrc.Training.Optimization;

/// <summary>
/// Linear warm-up from 0 to the peak learning rate over the first <c>warmupSteps</c>, then linear
/// decay to 0 at <c>totalSteps</c> (Hugging Face's get_linear_schedule_with_warmup).
/// </summary>
public sealed record LinearSchedule(double PeakLearningRate, int WarmupSteps, int TotalSteps)
{
    public double At(int step)
    {
        if (step < WarmupSteps) return PeakLearningRate * (step + 1) / WarmupSteps;
        double left = Math.Max(0, TotalSteps - step);
        return PeakLearningRate * left / Math.Max(1, TotalSteps - WarmupSteps);
    }
}
