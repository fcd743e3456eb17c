using Mrc.Core.Data;

namespace Mrc.Training.Stages;

/// <summary>
/// The training set of a mixed run: every question of every stage's training file, shuffled with
/// the run's seed so one source never trains in a block, written as JSON Lines with contexts.
/// </summary>
public static class MixedTrainingSet
{
    public static IReadOnlyList<QuestionExample> Union(IEnumerable<string> trainFiles, int seed)
    {
        var all = trainFiles.SelectMany(QuestionSetReader.Load).ToArray();
        new Random(seed).Shuffle(all);
        return all;
    }

    public static void Write(IEnumerable<string> trainFiles, int seed, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        QuestionJsonl.Save(Union(trainFiles, seed), path + ".saving");
        File.Move(path + ".saving", path, overwrite: true);
    }
}
