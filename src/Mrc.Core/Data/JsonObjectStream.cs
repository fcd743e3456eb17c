using System.Text.Json;

namespace Mrc.Core.Data;

/// <summary>
/// The members of a file's top-level JSON object, one at a time, read through a buffer that holds
/// only the member being read (it grows when one member is larger than it). This is how a
/// <c>wikipedia_documents.json</c> of any size is read in constant memory. Syntax errors name the
/// file, line and column, as <see cref="JsonNodeReader.Parse"/> does for a whole document.
/// </summary>
internal sealed class JsonObjectStream : IDisposable
{
    enum Phase { BeforeRoot, BeforeName, BeforeValue, AfterRoot, Done }

    readonly string path;
    readonly Stream stream;
    byte[] buffer;
    int start, end;
    bool finalBlock;
    JsonReaderState state = new(new JsonReaderOptions { AllowTrailingCommas = false, MaxDepth = 64 });
    Phase phase = Phase.BeforeRoot;
    string pendingName = "";

    public JsonObjectStream(string path, int bufferSize = 1 << 16)
    {
        this.path = path;
        stream = File.OpenRead(path);
        buffer = new byte[bufferSize];
    }

    /// <summary>
    /// The next member: its name and its value as a parsed document (the caller disposes it), or
    /// with <paramref name="parseValue"/> false only its name and kind. False after the last member.
    /// </summary>
    public bool Next(out string name, out JsonDocument? value, out JsonValueKind kind, bool parseValue = true)
    {
        try
        {
            return NextMember(out name, out value, out kind, parseValue);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? 0) + 1, (e.BytePositionInLine ?? 0) + 1, "invalid JSON: " + JsonNodeReader.FirstSentence(e.Message), e);
        }
    }

    bool NextMember(out string name, out JsonDocument? value, out JsonValueKind kind, bool parseValue)
    {
        name = "";
        value = null;
        kind = JsonValueKind.Undefined;
        while (true)
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), finalBlock, state);
            // Where to resume when the bytes run out: the end of the last whole token handled.
            var checkpoint = reader.CurrentState;
            long checkpointAt = 0;
            while (phase != Phase.Done)
            {
                if (phase == Phase.BeforeValue)
                {
                    if (!reader.Read()) break;
                    long valueStart = reader.TokenStartIndex;
                    var first = reader.TokenType;
                    if (!reader.TrySkip()) break;
                    kind = first switch
                    {
                        JsonTokenType.StartObject => JsonValueKind.Object,
                        JsonTokenType.StartArray => JsonValueKind.Array,
                        JsonTokenType.String => JsonValueKind.String,
                        JsonTokenType.Number => JsonValueKind.Number,
                        JsonTokenType.True => JsonValueKind.True,
                        JsonTokenType.False => JsonValueKind.False,
                        _ => JsonValueKind.Null,
                    };
                    if (parseValue)
                        value = JsonDocument.Parse(buffer.AsMemory(start + (int)valueStart, (int)(reader.BytesConsumed - valueStart)).ToArray());
                    name = pendingName;
                    phase = Phase.BeforeName;
                    Commit(ref reader);
                    return true;
                }
                if (!reader.Read())
                {
                    if (finalBlock && phase == Phase.AfterRoot)
                    {
                        phase = Phase.Done;
                        return false;
                    }
                    break;
                }
                switch (phase)
                {
                    case Phase.BeforeRoot:
                        if (reader.TokenType != JsonTokenType.StartObject)
                            throw new DataFormatException(path, 1, null, "expected a JSON object at the top level");
                        phase = Phase.BeforeName;
                        break;
                    case Phase.BeforeName:
                        if (reader.TokenType == JsonTokenType.EndObject)
                        {
                            phase = Phase.AfterRoot;
                            break;
                        }
                        pendingName = reader.GetString()!;
                        phase = Phase.BeforeValue;
                        break;
                    case Phase.AfterRoot:
                        // The reader refuses anything after the top-level value itself; not reached.
                        throw new DataFormatException(path, null, null, "invalid JSON: more after the top-level object");
                }
                checkpoint = reader.CurrentState;
                checkpointAt = reader.BytesConsumed;
            }
            if (phase == Phase.Done) return false;
            start += (int)checkpointAt;
            state = checkpoint;
            Fill();
        }
    }

    void Commit(ref Utf8JsonReader reader)
    {
        start += (int)reader.BytesConsumed;
        state = reader.CurrentState;
    }

    /// <summary>Moves the unread bytes to the front, grows the buffer when they fill it, and reads more.</summary>
    void Fill()
    {
        if (finalBlock) throw new DataFormatException(path, null, null, "invalid JSON: the file ends inside a value");
        int unread = end - start;
        if (unread == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        else if (start > 0) Buffer.BlockCopy(buffer, start, buffer, 0, unread);
        start = 0;
        end = unread;
        int read = stream.Read(buffer, end, buffer.Length - end);
        if (read == 0) finalBlock = true;
        end += read;
    }

    public void Dispose() => stream.Dispose();
}
