using System.Text.Json;
using System.Text.Json.Nodes;
using Mrc.Reading.Checkpoints;
using Mrc.Reading.Modeling;
using static TorchSharp.torch;

namespace Mrc.Training;

/// <summary>
/// Writes a trained model as a Hugging Face folder that both the reader's model repository and
/// <c>transformers</c> load: <c>config.json</c>, <c>model.safetensors</c>, the tokenizer files and a
/// <c>model-card.json</c> describing data, command and metrics.
/// </summary>
public static class ModelFolder
{
    static readonly JsonSerializerOptions WithoutNulls = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static readonly string[] TokenizerFiles = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

    public static void Save(nn.Module model, EncoderConfig config, string architectureClass, string tokenizerFolder, string folder, JsonObject card)
    {
        // Written beside the destination and moved in, so an interrupted save never leaves half a model.
        string temp = folder.TrimEnd(Path.DirectorySeparatorChar) + ".saving";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);

        var configJson = JsonSerializer.SerializeToNode(config, WithoutNulls)!.AsObject();
        configJson["architectures"] = new JsonArray(architectureClass);
        File.WriteAllText(Path.Combine(temp, "config.json"), configJson.ToJsonString(Indented));
        CheckpointLoader.SaveSafetensors(model, temp);
        foreach (var file in TokenizerFiles)
        {
            string source = Path.Combine(tokenizerFolder, file);
            if (File.Exists(source)) File.Copy(source, Path.Combine(temp, file), overwrite: true);
        }
        File.WriteAllText(Path.Combine(temp, "model-card.json"), card.ToJsonString(Indented));

        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(folder))!);
        Directory.Move(temp, folder);
    }

    /// <summary>The HF class name for a model of this family and head ("BertForMaskedLM", "ElectraForQuestionAnswering", ...).</summary>
    public static string ArchitectureClass(EncoderConfig config, string head) => config.Architecture switch
    {
        EncoderArchitecture.Roberta => "Roberta" + head,
        EncoderArchitecture.Electra => "Electra" + head,
        _ => "Bert" + head,
    };
}
