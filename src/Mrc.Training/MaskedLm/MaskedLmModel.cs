using Mrc.Reading.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Encoder = Mrc.Reading.Modeling.TransformerEncoder;

namespace Mrc.Training.MaskedLm;

/// <summary>
/// Hugging Face <c>*ForMaskedLM</c>: the encoder under its architecture prefix and a prediction
/// head (dense → activation → LayerNorm, then a decoder tied to the word embeddings plus a bias).
/// State-dict names equal HF's for each family, so a saved checkpoint loads in
/// <c>transformers</c> and its encoder in the reader:
/// BERT <c>cls.predictions.{transform.dense, transform.LayerNorm, bias}</c>,
/// RoBERTa <c>lm_head.{dense, layer_norm, bias}</c>,
/// ELECTRA <c>generator_predictions.{dense, LayerNorm}</c> + <c>generator_lm_head.bias</c>.
/// </summary>
public sealed class MaskedLmModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly Encoder encoderModel;
    readonly Linear dense;
    readonly LayerNorm norm;
    readonly Parameter bias;
    readonly Func<Tensor, Tensor> activation;

    public MaskedLmModel(EncoderConfig config, Device? device = null) : base("mlm")
    {
        Config = config;
        encoderModel = new Encoder(config, device);
        dense = nn.Linear(config.HiddenSize, config.EmbeddingWidth, device: device);
        norm = nn.LayerNorm(config.EmbeddingWidth, config.LayerNormEps, device: device);
        bias = new Parameter(zeros(config.VocabSize, device: device));
        activation = Activations.Get(config.HiddenAct);

        register_module(config.Prefix, encoderModel);
        switch (config.Architecture)
        {
            case EncoderArchitecture.Roberta:
                register_module("lm_head", new Holder("lm_head", ("dense", dense), ("layer_norm", norm)).With("bias", bias));
                break;
            case EncoderArchitecture.Electra:
                register_module("generator_predictions", new Holder("generator_predictions", ("dense", dense), ("LayerNorm", norm)));
                register_module("generator_lm_head", new Holder("generator_lm_head").With("bias", bias));
                break;
            default:
                var transform = new Holder("transform", ("dense", dense), ("LayerNorm", norm));
                register_module("cls", new Holder("cls", ("predictions", new Holder("predictions", ("transform", transform)).With("bias", bias))));
                break;
        }
    }

    public EncoderConfig Config { get; }

    public Encoder Encoder => encoderModel;

    /// <summary>Vocabulary logits [batch, seq, vocab].</summary>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var hidden = encoderModel.forward(inputIds, tokenTypeIds, attentionMask);
        return Predict(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean cross-entropy over the labelled positions (label -100 elsewhere). The vocabulary projection
    /// runs on those ~15 % of positions only: on a small model it costs as much as the encoder itself.
    /// </summary>
    public Tensor Loss(Tensor inputIds, Tensor attentionMask, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var hidden = encoderModel.forward(inputIds, zeros_like(inputIds), attentionMask);
        var flatLabels = labels.view(-1);
        var labelled = flatLabels.ne(MlmMasker.IgnoreLabel).nonzero().view(-1);
        var logits = Predict(hidden.view(-1, hidden.shape[^1]).index_select(0, labelled));
        var loss = nn.functional.cross_entropy(logits, flatLabels.index_select(0, labelled));
        return loss.MoveToOuterDisposeScope();
    }

    Tensor Predict(Tensor hidden)
    {
        var transformed = norm.forward(activation(dense.forward(hidden)));
        var wordEmbeddings = encoderModel.get_parameter("embeddings.word_embeddings.weight")
            ?? throw new InvalidOperationException("the encoder has no word embeddings");
        return nn.functional.linear(transformed, wordEmbeddings, bias);
    }

    /// <summary>A named level of the state-dict hierarchy holding sub-modules and parameters.</summary>
    sealed class Holder : nn.Module
    {
        public Holder(string name, params (string Name, nn.Module Module)[] children) : base(name)
        {
            foreach (var (childName, module) in children) register_module(childName, module);
        }

        public Holder With(string name, Parameter parameter)
        {
            register_parameter(name, parameter);
            return this;
        }
    }
}
