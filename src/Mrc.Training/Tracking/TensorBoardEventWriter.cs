using System.Buffers.Binary;
using Google.Protobuf;

namespace Mrc.Training.Tracking;

/// <summary>
/// Writes scalars to a TensorBoard event file (<c>events.out.tfevents.*</c>) that TensorBoard and
/// other tfevents readers open: TFRecord framing (length, masked CRC-32C of the length, the Event
/// bytes, masked CRC-32C of those bytes), the first record <c>file_version: "brain.Event:2"</c>, then
/// one Event per scalar with <c>wall_time</c> in seconds since 1970, <c>step</c> and
/// <c>summary.value { tag, simple_value }</c>. Each record is written with one call and flushed.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>SummaryWriter</c> writes the same framing, but stamps its file-version record
/// in .NET ticks (TensorBoard reads 6.4e17 seconds, a date far in the future, as the run's start),
/// keeps wall times to whole seconds, and reopens the file for every event; hence this writer of the
/// few fields a scalar needs.
/// </remarks>
public sealed class TensorBoardEventWriter : IDisposable
{
    // Field numbers of tensorflow/core/util/event.proto and summary.proto.
    const int EventWallTime = 1, EventStep = 2, EventFileVersion = 3, EventSummary = 5;
    const int SummaryValue = 1, ValueTag = 1, ValueSimpleValue = 2;

    readonly FileStream stream;

    public TensorBoardEventWriter(string folder)
    {
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        Path = System.IO.Path.Combine(folder, $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}");
        stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete);
        WriteRecord(Event(now, step: 0, e => e.WriteString(EventFileVersion, "brain.Event:2")));
    }

    public string Path { get; }

    public void AddScalar(string tag, double value, long step)
    {
        if (!double.IsFinite(value)) return;
        WriteRecord(Event(DateTimeOffset.UtcNow, step, e => e.WriteMessage(EventSummary, summary =>
            summary.WriteMessage(SummaryValue, v =>
            {
                v.WriteString(ValueTag, tag);
                v.WriteTag(ValueSimpleValue, WireFormat.WireType.Fixed32);
                v.Output.WriteFloat((float)value);
            }))));
    }

    public void Dispose() => stream.Dispose();

    static byte[] Event(DateTimeOffset time, long step, Action<ProtoWriter> body)
    {
        using var writer = new ProtoWriter();
        writer.WriteTag(EventWallTime, WireFormat.WireType.Fixed64);
        writer.Output.WriteDouble(time.ToUnixTimeMilliseconds() / 1000.0);
        if (step != 0)
        {
            writer.WriteTag(EventStep, WireFormat.WireType.Varint);
            writer.Output.WriteInt64(step);
        }
        body(writer);
        return writer.ToArray();
    }

    void WriteRecord(byte[] data)
    {
        var record = new byte[8 + 4 + data.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), Crc32C.Masked(record.AsSpan(0, 8)));
        data.CopyTo(record, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12 + data.Length), Crc32C.Masked(data));
        stream.Write(record);
        stream.Flush();
    }

    /// <summary>A protobuf message being encoded; nested messages are encoded first, then written length-delimited.</summary>
    sealed class ProtoWriter : IDisposable
    {
        readonly MemoryStream buffer = new();

        public ProtoWriter() => Output = new CodedOutputStream(buffer, leaveOpen: true);

        public CodedOutputStream Output { get; }

        public void WriteTag(int field, WireFormat.WireType type) => Output.WriteTag(field, type);

        public void WriteString(int field, string value)
        {
            WriteTag(field, WireFormat.WireType.LengthDelimited);
            Output.WriteString(value);
        }

        public void WriteMessage(int field, Action<ProtoWriter> body)
        {
            using var inner = new ProtoWriter();
            body(inner);
            WriteTag(field, WireFormat.WireType.LengthDelimited);
            Output.WriteBytes(ByteString.CopyFrom(inner.ToArray()));
        }

        public byte[] ToArray()
        {
            Output.Flush();
            return buffer.ToArray();
        }

        public void Dispose()
        {
            Output.Dispose();
            buffer.Dispose();
        }
    }
}
