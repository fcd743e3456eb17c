using System.Text;

namespace Mrc.Reading.Tokenization;

/// <summary>sentencepiece's <c>ModelProto.SentencePiece.Type</c>.</summary>
public enum SentencePieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

/// <summary>One vocabulary entry of a SentencePiece model.</summary>
public sealed record SentencePiece(string Piece, float Score, SentencePieceType Type);

/// <summary>The <c>normalizer_spec</c> of a SentencePiece model (proto defaults where absent).</summary>
public sealed record SentencePieceNormalizerSpec(
    string Name = "",
    byte[]? PrecompiledCharsMap = null,
    bool AddDummyPrefix = true,
    bool RemoveExtraWhitespaces = true,
    bool EscapeWhitespaces = true);

/// <summary>The parts of a SentencePiece <c>ModelProto</c> that encoding needs.</summary>
public sealed record SentencePieceModelProto(
    IReadOnlyList<SentencePiece> Pieces,
    int ModelType,
    bool TreatWhitespaceAsSuffix,
    bool ByteFallback,
    SentencePieceNormalizerSpec Normalizer)
{
    /// <summary><c>TrainerSpec.ModelType.UNIGRAM</c>.</summary>
    public const int Unigram = 1;

    /// <summary>
    /// Reads a <c>.model</c> file (protobuf wire format, read by hand: the few fields used here).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed SentencePiece model; the message names it.</exception>
    public static SentencePieceModelProto Load(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a readable SentencePiece model ({e.Message})", e);
        }
    }

    public static SentencePieceModelProto Parse(ReadOnlySpan<byte> data)
    {
        var pieces = new List<SentencePiece>();
        var modelType = Unigram;
        var suffix = false;
        var byteFallback = false;
        var normalizer = new SentencePieceNormalizerSpec();
        var reader = new ProtoReader(data);
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, ProtoReader.LengthDelimited):
                    pieces.Add(ReadPiece(reader.ReadBytes()));
                    break;
                case (2, ProtoReader.LengthDelimited):
                    (modelType, suffix, byteFallback) = ReadTrainerSpec(reader.ReadBytes());
                    break;
                case (3, ProtoReader.LengthDelimited):
                    normalizer = ReadNormalizerSpec(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        if (pieces.Count == 0) throw new InvalidDataException("the model has no pieces");
        return new SentencePieceModelProto(pieces, modelType, suffix, byteFallback, normalizer);
    }

    static SentencePiece ReadPiece(ReadOnlySpan<byte> data)
    {
        string? piece = null;
        var score = 0f;
        var type = SentencePieceType.Normal;
        var reader = new ProtoReader(data);
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, ProtoReader.LengthDelimited): piece = reader.ReadString(); break;
                case (2, ProtoReader.Fixed32): score = BitConverter.Int32BitsToSingle((int)reader.ReadFixed32()); break;
                case (3, ProtoReader.Varint): type = (SentencePieceType)reader.ReadVarint(); break;
                default: reader.Skip(wire); break;
            }
        }
        if (piece is null) throw new InvalidDataException("a piece has no text");
        if (!Enum.IsDefined(type)) throw new InvalidDataException($"piece '{piece}' has unknown type {(int)type}");
        return new SentencePiece(piece, score, type);
    }

    static (int ModelType, bool Suffix, bool ByteFallback) ReadTrainerSpec(ReadOnlySpan<byte> data)
    {
        var modelType = Unigram;
        bool suffix = false, byteFallback = false;
        var reader = new ProtoReader(data);
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (3, ProtoReader.Varint): modelType = (int)reader.ReadVarint(); break;
                case (24, ProtoReader.Varint): suffix = reader.ReadVarint() != 0; break;
                case (35, ProtoReader.Varint): byteFallback = reader.ReadVarint() != 0; break;
                default: reader.Skip(wire); break;
            }
        }
        return (modelType, suffix, byteFallback);
    }

    static SentencePieceNormalizerSpec ReadNormalizerSpec(ReadOnlySpan<byte> data)
    {
        var spec = new SentencePieceNormalizerSpec();
        var reader = new ProtoReader(data);
        while (reader.Next(out var field, out var wire))
        {
            spec = (field, wire) switch
            {
                (1, ProtoReader.LengthDelimited) => spec with { Name = reader.ReadString() },
                (2, ProtoReader.LengthDelimited) => spec with { PrecompiledCharsMap = reader.ReadBytes().ToArray() },
                (3, ProtoReader.Varint) => spec with { AddDummyPrefix = reader.ReadVarint() != 0 },
                (4, ProtoReader.Varint) => spec with { RemoveExtraWhitespaces = reader.ReadVarint() != 0 },
                (5, ProtoReader.Varint) => spec with { EscapeWhitespaces = reader.ReadVarint() != 0 },
                _ => Skipped(ref reader, wire, spec),
            };
        }
        return spec;

        static SentencePieceNormalizerSpec Skipped(ref ProtoReader reader, int wire, SentencePieceNormalizerSpec spec)
        {
            reader.Skip(wire);
            return spec;
        }
    }
}

/// <summary>The protobuf wire format, read forward: tags, varints, fixed-width and length-delimited fields.</summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    readonly ReadOnlySpan<byte> data = data;
    int position;

    public bool Next(out int field, out int wire)
    {
        field = wire = 0;
        if (position >= data.Length) return false;
        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wire = (int)(tag & 7);
        if (field == 0) throw new InvalidDataException($"field number 0 at byte {position}");
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw new InvalidDataException("truncated varint");
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("varint longer than 10 bytes");
    }

    public uint ReadFixed32()
    {
        Require(4);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[position..]);
        position += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(data.Length - position)) throw new InvalidDataException($"a {length}-byte field runs past the end at byte {position}");
        var slice = data.Slice(position, (int)length);
        position += (int)length;
        return slice;
    }

    public string ReadString() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadBytes());

    public void Skip(int wire)
    {
        switch (wire)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: Require(8); position += 8; break;
            case LengthDelimited: ReadBytes(); break;
            case Fixed32: Require(4); position += 4; break;
            default: throw new InvalidDataException($"unsupported wire type {wire} at byte {position}");
        }
    }

    void Require(int count)
    {
        if (data.Length - position < count) throw new InvalidDataException($"truncated field at byte {position}");
    }
}
