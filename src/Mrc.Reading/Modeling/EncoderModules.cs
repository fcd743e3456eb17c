using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mrc.Reading.Modeling;

// One class per Hugging Face submodule. Private field names equal the checkpoint keys
// (word_embeddings, LayerNorm, attention.self.query, ...), so state-dict names need no mapping table.
#pragma warning disable IDE1006, CA1051

/// <summary><c>embeddings</c>: word + position + token type embeddings, LayerNorm, dropout.</summary>
public sealed class Embeddings : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Embedding word_embeddings;
    readonly Embedding position_embeddings;
    readonly Embedding token_type_embeddings;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;
    readonly bool roberta;
    readonly long paddingIdx;

    public Embeddings(EncoderConfig config, Device? device = null) : base("embeddings")
    {
        var width = config.EmbeddingWidth;
        word_embeddings = nn.Embedding(config.VocabSize, width, padding_idx: config.PadTokenId, device: device);
        position_embeddings = nn.Embedding(config.MaxPositionEmbeddings, width, device: device);
        token_type_embeddings = nn.Embedding(config.TypeVocabSize, width, device: device);
        LayerNorm = nn.LayerNorm(width, config.LayerNormEps, device: device);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        roberta = config.Architecture == EncoderArchitecture.Roberta;
        paddingIdx = config.PadTokenId;
        RegisterComponents();
    }

    /// <param name="inputIds">[batch, seq] token ids.</param>
    /// <param name="tokenTypeIds">[batch, seq] segment ids (ignored by RoBERTa, which has one type).</param>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        var seq = inputIds.shape[1];
        Tensor positionIds;
        if (roberta)
        {
            // RoBERTa numbers real tokens from padding_idx + 1; padding keeps padding_idx.
            var mask = inputIds.ne(paddingIdx).to(ScalarType.Int64);
            positionIds = mask.cumsum(1).mul(mask).add(paddingIdx);
            tokenTypeIds = zeros_like(inputIds);
        }
        else
        {
            positionIds = arange(seq, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        }
        var x = word_embeddings.forward(inputIds)
            .add(position_embeddings.forward(positionIds))
            .add(token_type_embeddings.forward(tokenTypeIds));
        x = dropout.forward(LayerNorm.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary><c>attention.self</c>: query/key/value projections and scaled dot-product attention.</summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly Linear query;
    readonly Linear key;
    readonly Linear value;
    readonly int heads;
    readonly int headSize;
    readonly double scale;
    readonly double dropoutProb;

    public SelfAttention(EncoderConfig config, Device? device = null) : base("self")
    {
        heads = config.NumAttentionHeads;
        headSize = config.HiddenSize / heads;
        scale = 1.0 / Math.Sqrt(headSize);
        dropoutProb = config.AttentionProbsDropoutProb;
        query = nn.Linear(config.HiddenSize, config.HiddenSize, device: device);
        key = nn.Linear(config.HiddenSize, config.HiddenSize, device: device);
        value = nn.Linear(config.HiddenSize, config.HiddenSize, device: device);
        RegisterComponents();
    }

    /// <param name="hidden">[batch, seq, hidden].</param>
    /// <param name="attentionMask">[batch, 1, 1, seq] boolean, true where a key may be attended to; null when nothing is padded.</param>
    public override Tensor forward(Tensor hidden, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var batch = hidden.shape[0];
        var seq = hidden.shape[1];
        Tensor Split(Linear projection) => projection.forward(hidden).view(batch, seq, heads, headSize).transpose(1, 2);
        var (q, k, v) = (Split(query), Split(key), Split(value));
        var context = hidden.device_type == DeviceType.CPU && hidden.dtype != ScalarType.Float32 && !training
            ? ReducedPrecisionAttention(q, k, v, attentionMask)
            : nn.functional.scaled_dot_product_attention(q, k, v, attentionMask, training ? dropoutProb : 0.0);
        var result = context.transpose(1, 2).reshape(batch, seq, heads * headSize);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// softmax(q·kᵀ/√d)·v as two batched matrix products. libtorch's fused CPU attention kernel runs
    /// bf16 no faster than fp32, while bf16 matrix products run on the CPU's bf16 units: at batch 8 × 384
    /// tokens of the MiniLM shape this is about half the time (docs/reader.md, the operation profile).
    /// </summary>
    Tensor ReducedPrecisionAttention(Tensor q, Tensor k, Tensor v, Tensor? attentionMask)
    {
        var scores = matmul(q.mul(scale), k.transpose(-1, -2));
        if (attentionMask is not null) scores = scores.masked_fill(attentionMask.logical_not(), double.NegativeInfinity);
        return matmul(scores.softmax(-1), v);
    }
}

/// <summary><c>attention.output</c>: dense, dropout, residual LayerNorm.</summary>
public sealed class SelfOutput : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Linear dense;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;

    public SelfOutput(EncoderConfig config, Device? device = null) : base("output")
    {
        dense = nn.Linear(config.HiddenSize, config.HiddenSize, device: device);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor input)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.forward(dropout.forward(dense.forward(hidden)).add(input)).MoveToOuterDisposeScope();
    }
}

/// <summary><c>attention</c>: self-attention followed by its output block.</summary>
public sealed class Attention : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly SelfAttention self;
    readonly SelfOutput output;

    public Attention(EncoderConfig config, Device? device = null) : base("attention")
    {
        self = new SelfAttention(config, device);
        output = new SelfOutput(config, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        return output.forward(self.forward(hidden, attentionMask), hidden).MoveToOuterDisposeScope();
    }
}

/// <summary><c>intermediate</c>: dense up-projection and the activation.</summary>
public sealed class Intermediate : nn.Module<Tensor, Tensor>
{
    readonly Linear dense;
    readonly Func<Tensor, Tensor> activation;

    public Intermediate(EncoderConfig config, Device? device = null) : base("intermediate")
    {
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize, device: device);
        activation = Activations.Get(config.HiddenAct);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return activation(dense.forward(hidden)).MoveToOuterDisposeScope();
    }
}

/// <summary><c>output</c>: dense down-projection, dropout, residual LayerNorm.</summary>
public sealed class Output : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Linear dense;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;

    public Output(EncoderConfig config, Device? device = null) : base("output")
    {
        dense = nn.Linear(config.IntermediateSize, config.HiddenSize, device: device);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor input)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.forward(dropout.forward(dense.forward(hidden)).add(input)).MoveToOuterDisposeScope();
    }
}

/// <summary><c>encoder.layer.N</c>: attention, intermediate, output.</summary>
public sealed class Layer : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly Attention attention;
    readonly Intermediate intermediate;
    readonly Output output;

    public Layer(EncoderConfig config, Device? device = null) : base("layer")
    {
        attention = new Attention(config, device);
        intermediate = new Intermediate(config, device);
        output = new Output(config, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var attended = attention.forward(hidden, attentionMask);
        return output.forward(intermediate.forward(attended), attended).MoveToOuterDisposeScope();
    }
}

/// <summary><c>encoder</c>: the stack of layers.</summary>
public sealed class Encoder : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly ModuleList<Layer> layer;

    public Encoder(EncoderConfig config, Device? device = null) : base("encoder")
    {
        layer = new ModuleList<Layer>();
        for (var i = 0; i < config.NumHiddenLayers; i++) layer.Add(new Layer(config, device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        foreach (var block in layer) hidden = block.forward(hidden, attentionMask);
        return hidden.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The encoder (HF <c>BertModel</c> / <c>RobertaModel</c> / <c>ElectraModel</c> without pooler):
/// embeddings, ELECTRA's <c>embeddings_project</c> when embedding_size ≠ hidden_size, encoder.
/// Returns <c>last_hidden_state</c>.
/// </summary>
public sealed class TransformerEncoder : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly Embeddings embeddings;
    readonly Linear? embeddings_project;
    readonly Encoder encoder;

    public TransformerEncoder(EncoderConfig config, Device? device = null) : base(config.Prefix)
    {
        config.Validate();
        embeddings = new Embeddings(config, device);
        if (config.Architecture == EncoderArchitecture.Electra && config.EmbeddingWidth != config.HiddenSize)
            embeddings_project = nn.Linear(config.EmbeddingWidth, config.HiddenSize, device: device);
        encoder = new Encoder(config, device);
        RegisterComponents();
    }

    /// <param name="inputIds">[batch, seq] token ids.</param>
    /// <param name="tokenTypeIds">[batch, seq] segment ids.</param>
    /// <param name="attentionMask">[batch, seq], 1 for real tokens and 0 for padding.</param>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var hidden = embeddings.forward(inputIds, tokenTypeIds);
        if (embeddings_project is not null) hidden = embeddings_project.forward(hidden);
        // [batch, 1, 1, seq] boolean, built once for all layers: every query position may look at the
        // real keys only. A batch without padding needs none, and attention runs faster unmasked.
        var mask = attentionMask.eq(0).any().item<bool>() ? attentionMask.ne(0).unsqueeze(1).unsqueeze(2) : null;
        return encoder.forward(hidden, mask).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// HF <c>*ForQuestionAnswering</c>: the encoder under its architecture prefix and the QA head its
/// config names: <c>qa_outputs</c> (hidden → 2, HF's own) or <see cref="ConvQaHead"/> (<c>qa_head</c>),
/// giving start and end logits.
/// </summary>
public sealed class QuestionAnsweringModel : nn.Module<Tensor, Tensor, Tensor, (Tensor StartLogits, Tensor EndLogits)>
{
    readonly TransformerEncoder encoderModel;
    readonly Linear? qa_outputs;
    readonly ConvQaHead? qa_head;

    public QuestionAnsweringModel(EncoderConfig config, Device? device = null) : base("qa")
    {
        Config = config;
        encoderModel = new TransformerEncoder(config, device);
        // The encoder's key prefix depends on the architecture, so it is registered by that name.
        register_module(config.Prefix, encoderModel);
        if (config.Head == QaHeads.Conv)
        {
            qa_head = new ConvQaHead(config.HiddenSize, config.HeadKernelSizes, config.HeadChannels, device);
            register_module(nameof(qa_head), qa_head);
        }
        else
        {
            qa_outputs = nn.Linear(config.HiddenSize, 2, device: device);
            register_module(nameof(qa_outputs), qa_outputs);
        }
    }

    public EncoderConfig Config { get; }

    public TransformerEncoder Encoder => encoderModel;

    public override (Tensor StartLogits, Tensor EndLogits) forward(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var hidden = encoderModel.forward(inputIds, tokenTypeIds, attentionMask);
        var logits = qa_head is not null ? qa_head.forward(hidden, attentionMask) : qa_outputs!.forward(hidden);
        var split = logits.split(1, -1);
        var start = split[0].squeeze(-1).contiguous();
        var end = split[1].squeeze(-1).contiguous();
        return (start.MoveToOuterDisposeScope(), end.MoveToOuterDisposeScope());
    }

    /// <summary>Number of parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());
}
