namespace Mrc.Training;

/// <summary>What a training run reports as it goes: position, smoothed loss, throughput, learning rate, and evaluations.</summary>
public sealed record TrainingProgress(
    int Step,
    int TotalSteps,
    double Loss,
    double ExamplesPerSecond,
    double LearningRate,
    string? Message = null);
