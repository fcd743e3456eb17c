using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mrc.Reading.Modeling;

/// <summary>
/// The fields of a Hugging Face <c>config.json</c> that BERT, RoBERTa and ELECTRA encoders need.
/// Defaults are the Hugging Face defaults of <c>BertConfig</c>.
/// </summary>
public sealed record EncoderConfig
{
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "bert";
    [JsonPropertyName("architectures")] public IReadOnlyList<string>? Architectures { get; init; }
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 30522;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 768;
    /// <summary>ELECTRA only: width of the embeddings, projected to <see cref="HiddenSize"/> when different.</summary>
    [JsonPropertyName("embedding_size")] public int? EmbeddingSize { get; init; }
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 12;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 12;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 3072;
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu";
    [JsonPropertyName("hidden_dropout_prob")] public double HiddenDropoutProb { get; init; } = 0.1;
    [JsonPropertyName("attention_probs_dropout_prob")] public double AttentionProbsDropoutProb { get; init; } = 0.1;
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 512;
    [JsonPropertyName("type_vocab_size")] public int TypeVocabSize { get; init; } = 2;
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-12;
    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; init; }
    [JsonPropertyName("position_embedding_type")] public string PositionEmbeddingType { get; init; } = "absolute";

    /// <summary>
    /// This project's own key: the QA head (<see cref="QaHeads"/>). Absent (null) means <c>linear</c>,
    /// so Hugging Face configs load as they are and linear models are saved without it.
    /// </summary>
    [JsonPropertyName("mrc_head")] public string? MrcHead { get; init; }
    /// <summary>Conv head: kernel sizes (odd); <see cref="QaHeads.DefaultKernelSizes"/> when absent.</summary>
    [JsonPropertyName("mrc_head_kernel_sizes")] public IReadOnlyList<int>? MrcHeadKernelSizes { get; init; }
    /// <summary>Conv head: output channels of each convolution; the hidden size when absent.</summary>
    [JsonPropertyName("mrc_head_channels")] public int? MrcHeadChannels { get; init; }

    [JsonIgnore] public string Head => MrcHead ?? QaHeads.Linear;
    [JsonIgnore] public IReadOnlyList<int> HeadKernelSizes => MrcHeadKernelSizes ?? QaHeads.DefaultKernelSizes;
    [JsonIgnore] public int HeadChannels => MrcHeadChannels ?? HiddenSize;

    /// <summary>This config with the given QA head; the conv head's hyperparameters written out, so the saved folder names them.</summary>
    public EncoderConfig WithHead(string head) => head == QaHeads.Linear
        ? this with { MrcHead = null, MrcHeadKernelSizes = null, MrcHeadChannels = null }
        : this with { MrcHead = head, MrcHeadKernelSizes = HeadKernelSizes, MrcHeadChannels = HeadChannels };

    /// <summary>"bert", "roberta" or "electra": also the checkpoint key prefix of the encoder.</summary>
    [JsonIgnore] public EncoderArchitecture Architecture => ModelType.ToLowerInvariant() switch
    {
        "bert" => EncoderArchitecture.Bert,
        "roberta" or "xlm-roberta" or "camembert" => EncoderArchitecture.Roberta,
        "electra" => EncoderArchitecture.Electra,
        _ => throw new NotSupportedException($"model_type '{ModelType}' is not supported (bert, roberta, electra)."),
    };

    /// <summary>The width of the embedding tables (ELECTRA's <c>embedding_size</c>, else the hidden size).</summary>
    [JsonIgnore] public int EmbeddingWidth => EmbeddingSize ?? HiddenSize;

    /// <summary>The checkpoint key prefix of the encoder ("bert", "roberta", "electra").</summary>
    [JsonIgnore] public string Prefix => Architecture switch
    {
        EncoderArchitecture.Roberta => "roberta",
        EncoderArchitecture.Electra => "electra",
        _ => "bert",
    };

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static EncoderConfig Load(string path)
    {
        EncoderConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<EncoderConfig>(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid config ({e.Message}).", e);
        }
        if (config is null) throw new InvalidDataException($"{path}: empty config.");
        config.Validate(path);
        return config;
    }

    public void Validate(string source = "config")
    {
        _ = Architecture;
        if (HiddenSize <= 0 || NumHiddenLayers <= 0 || NumAttentionHeads <= 0 || IntermediateSize <= 0 || VocabSize <= 0)
            throw new InvalidDataException($"{source}: sizes must be positive.");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new InvalidDataException($"{source}: hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}.");
        if (PositionEmbeddingType != "absolute")
            throw new NotSupportedException($"{source}: position_embedding_type '{PositionEmbeddingType}' is not supported (absolute only).");
        _ = Activations.Get(HiddenAct);
        if (!QaHeads.All.Contains(Head))
            throw new NotSupportedException($"{source}: mrc_head '{MrcHead}' is not supported ({string.Join(", ", QaHeads.All)}).");
        if (HeadKernelSizes.Count == 0 || HeadKernelSizes.Any(k => k < 1 || k % 2 == 0))
            throw new InvalidDataException($"{source}: mrc_head_kernel_sizes must be odd positive sizes, not [{string.Join(", ", HeadKernelSizes)}].");
        if (HeadChannels <= 0) throw new InvalidDataException($"{source}: mrc_head_channels must be positive.");
    }

    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(this, Indented));
}

public enum EncoderArchitecture { Bert, Roberta, Electra }
