using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Mrc.Training.Tracking;

namespace Mrc.Training.Tests;

/// <summary>
/// The event files are read back by a reader written here from the TFRecord and event.proto
/// specifications (its own bit-by-bit CRC-32C, checked against the standard test vector), not by
/// the writer's code.
/// </summary>
public sealed class TensorBoardEventsTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mrc-tfevents-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ReferenceCrc32C_GivesTheStandardCheckValue()
    {
        // The CRC catalogue's check value of CRC-32C (iSCSI) over the ASCII digits "123456789".
        Assert.Equal(0xE3069283u, BitwiseCrc32C(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void EventFile_HasValidFraming_AFileVersionRecord_AndTheScalars()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        string path;
        using (var writer = new TensorBoardEventWriter(folder))
        {
            writer.AddScalar("train/loss", 5.25, 10);
            writer.AddScalar("eval/f1", 11.5, 20);
            writer.AddScalar("train/loss", double.NaN, 30); // nothing to plot: not written
            path = writer.Path;
        }
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path), StringComparison.Ordinal);
        var events = ReadRecords(File.ReadAllBytes(path)).Select(DecodeEvent).ToList();
        Assert.Equal(3, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal(("train/loss", 5.25f, 10L), (events[1].Tag, events[1].Value, events[1].Step));
        Assert.Equal(("eval/f1", 11.5f, 20L), (events[2].Tag, events[2].Value, events[2].Step));
        Assert.All(events, e => Assert.InRange(e.WallTime, before, after)); // seconds since 1970
    }

    [Fact]
    public void TrackedRun_WritesStepsAndEvaluationsToBothRecords()
    {
        var store = new Mrc.Core.Runs.RunStore(folder);
        string runFolder;
        using (var run = TrackedRun.Start(store, Mrc.Core.Runs.RunKinds.Reader, "t", new { LearningRate = 3e-4, Curriculum = true, Name = (string?)null }, null, []))
        {
            run.LogStep(1, 4.5, 1e-4, 8);
            run.LogEvaluation(1, 2, 12.5);
            run.Finish();
            runFolder = run.Folder;
        }

        var record = Assert.Single(store.List());
        Assert.Equal(new Dictionary<string, string> { ["curriculum"] = "true", ["learning_rate"] = "0.0003" }, record.Config);
        Assert.Equal(2, store.ReadMetrics(record.Id).Count);
        var file = Assert.Single(Directory.GetFiles(runFolder, "events.out.tfevents.*"));
        var tags = ReadRecords(File.ReadAllBytes(file)).Select(DecodeEvent).Skip(1).Select(e => (e.Tag, e.Value)).ToList();
        Assert.Equal([("train/loss", 4.5f), ("train/learning_rate", 1e-4f), ("train/examples_per_second", 8f), ("eval/em", 2f), ("eval/f1", 12.5f)], tags);
    }

    /// <summary>TFRecord: uint64 length, masked CRC of the length bytes, data, masked CRC of the data (little-endian).</summary>
    static IEnumerable<byte[]> ReadRecords(byte[] file)
    {
        int at = 0;
        while (at < file.Length)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
            Assert.Equal(Mask(BitwiseCrc32C(file.AsSpan(at, 8))), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8)));
            var data = file.AsSpan(at + 12, (int)length).ToArray();
            Assert.Equal(Mask(BitwiseCrc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 12 + (int)length)));
            at += 12 + (int)length + 4;
            yield return data;
        }
    }

    sealed record DecodedEvent(double WallTime, long Step, string? FileVersion, string? Tag, float? Value);

    /// <summary>Event: 1 wall_time (double), 2 step (int64), 3 file_version (string), 5 summary { 1 value { 1 tag, 2 simple_value (float) } }.</summary>
    static DecodedEvent DecodeEvent(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        double wallTime = 0;
        long step = 0;
        string? fileVersion = null, tag = null;
        float? value = null;
        uint field;
        while ((field = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(field))
            {
                case 1: wallTime = input.ReadDouble(); break;
                case 2: step = input.ReadInt64(); break;
                case 3: fileVersion = input.ReadString(); break;
                case 5:
                    var summary = new CodedInputStream(input.ReadBytes().ToByteArray());
                    Assert.Equal(1, WireFormat.GetTagFieldNumber(summary.ReadTag()));
                    var item = new CodedInputStream(summary.ReadBytes().ToByteArray());
                    uint inner;
                    while ((inner = item.ReadTag()) != 0)
                    {
                        if (WireFormat.GetTagFieldNumber(inner) == 1) tag = item.ReadString();
                        else if (WireFormat.GetTagFieldNumber(inner) == 2) value = item.ReadFloat();
                        else item.SkipLastField();
                    }
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new DecodedEvent(wallTime, step, fileVersion, tag, value);
    }

    static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xA282EAD8;
}
