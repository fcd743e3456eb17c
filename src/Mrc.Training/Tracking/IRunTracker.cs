namespace Mrc.Training.Tracking;

/// <summary>
/// What a trainer tells the run it belongs to: each logged step and each evaluation. The trainer
/// also writes <see cref="RunId"/> into the model card, so a model version leads back to its run.
/// </summary>
public interface IRunTracker
{
    string RunId { get; }

    void LogStep(int optimizerStep, double loss, double learningRate, double examplesPerSecond);

    void LogEvaluation(int optimizerStep, double exactMatch, double f1);
}
