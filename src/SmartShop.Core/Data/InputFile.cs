using System.IO.Compression;

namespace SmartShop.Core.Data;

/// <summary>
/// The one place an input file is opened, for every reader (transactions, customer tables, clickstream, catalogue,
/// training uploads, analyses): a strict text reader (<see cref="TextEncodings"/>), decompressing gzip when the bytes
/// start with its magic number (not by the name), that stops with an InvalidDataException marked too large
/// (<see cref="InputLimits.LimitOf"/>) past the <see cref="InputLimits"/>.
/// </summary>
public static class InputFile
{
    public static TextReader OpenText(string path, string? encoding = null, InputLimits? limits = null)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return OpenText(stream, encoding, limits);
    }

    public static TextReader OpenText(Stream stream, string? encoding = null, InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= InputLimits.Default;
        limits.Validate();
        var buffered = stream.CanSeek ? stream : new BufferedStream(stream, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var read = buffered.CanSeek ? buffered.ReadAtLeast(magic, 2, throwOnEndOfStream: false) : 0;
        if (buffered.CanSeek)
        {
            buffered.Seek(0, SeekOrigin.Begin);
        }
        var isGzip = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        if (!isGzip)
        {
            return TextEncodings.Open(new CountingStream(buffered, total => limits.CheckBytes(total, null)), encoding, limits);
        }
        var compressed = new CountingStream(buffered);
        var decompressed = new CountingStream(new GZipStream(compressed, CompressionMode.Decompress), total => limits.CheckBytes(total, compressed));
        return TextEncodings.Open(decompressed, encoding, limits);
    }
}

/// <summary>
/// A read-only pass-through that counts the bytes read and hands the running total to <paramref name="afterRead"/>
/// (which may throw to stop the read): the input bounds, the compressed side of a gzip, an upload's size limit.
/// </summary>
public sealed class CountingStream(Stream inner, Action<long>? afterRead = null, bool leaveOpen = false) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        BytesRead += read;
        afterRead?.Invoke(BytesRead);
        return read;
    }
}
