using System.Globalization;

namespace SmartShop.Core.Data;

/// <summary>
/// Bounds on what an input file may expand to once opened, enforced by the one place files are opened
/// (<see cref="TransactionCsvReader.OpenText(Stream, string?, InputLimits?)"/>): the decompressed size (absolute and
/// as a ratio of the compressed bytes read), the length of a line, and the number of fields in a row. A size limit on
/// the compressed upload alone lets a 1 MB gzip expand to gigabytes.
/// </summary>
public sealed record InputLimits
{
    public static InputLimits Default { get; } = new();

    /// <summary>Decompressed (or plain) bytes one file may hold.</summary>
    public long MaxBytes { get; init; } = 4L << 30;

    /// <summary>How many times its compressed size a gzip file may expand; CSV exports compress 5–30×, bombs 1,000×.</summary>
    public int MaxCompressionRatio { get; init; } = 200;

    /// <summary>The ratio is judged once this many bytes have been decompressed, so small files with long runs pass.</summary>
    public long RatioFloorBytes { get; init; } = 16L << 20;

    /// <summary>Characters in one line (a quoted field spanning lines counts as one line).</summary>
    public int MaxLineLength { get; init; } = 1 << 20;

    /// <summary>Fields in a header or a row.</summary>
    public int MaxColumns { get; init; } = 1_000;

    public void Validate()
    {
        if (MaxBytes < 1 || MaxCompressionRatio < 1 || RatioFloorBytes < 0 || MaxLineLength < 1 || MaxColumns < 1)
        {
            throw new ArgumentException("Input limits must be positive.");
        }
    }

    /// <summary>
    /// An input over a limit: bad data like any other <see cref="InvalidDataException"/> (which is sealed, hence the
    /// mark), answered with 413 instead of 400 over HTTP (<see cref="LimitOf"/>).
    /// </summary>
    public static InvalidDataException TooLarge(string message, string limit = "other")
    {
        var exception = new InvalidDataException(message);
        exception.Data[TooLargeMark] = limit;
        return exception;
    }

    /// <summary>Which limit an input broke (<see cref="SizeLimit"/>, "ratio", "line", "columns", "rows"), or null when it broke none.</summary>
    public static string? LimitOf(Exception exception) =>
        exception is InvalidDataException && exception.Data[TooLargeMark] is string limit ? limit : null;

    /// <summary>The limit on decompressed bytes (<see cref="MaxBytes"/>): the one a longer wait can lift.</summary>
    public const string SizeLimit = "bytes";

    internal InvalidDataException TooManyColumns(long line, int found) =>
        TooLarge(string.Create(CultureInfo.InvariantCulture, $"Line {line:N0} has {found:N0} fields, over the limit of {MaxColumns:N0}."), "columns");

    private const string TooLargeMark = "SmartShop.InputTooLarge";
}

/// <summary>Counts the bytes read through it (the compressed side of a gzip stream).</summary>
internal sealed class CountingStream(Stream inner) : Stream
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

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        BytesRead += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        BytesRead += read;
        return read;
    }

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
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Stops reading once the bytes read pass <see cref="InputLimits.MaxBytes"/> or, for gzip, the ratio.</summary>
internal sealed class BoundedStream(Stream inner, InputLimits limits, CountingStream? compressed) : Stream
{
    private long _total;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _total;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _total += read;
        if (_total > limits.MaxBytes)
        {
            throw InputLimits.TooLarge(string.Create(CultureInfo.InvariantCulture,
                $"The file is larger than the limit of {limits.MaxBytes:N0} bytes{(compressed is null ? "" : " once decompressed")}."), InputLimits.SizeLimit);
        }
        if (compressed is { BytesRead: > 0 } source && _total > limits.RatioFloorBytes && _total > source.BytesRead * limits.MaxCompressionRatio)
        {
            throw InputLimits.TooLarge(string.Create(CultureInfo.InvariantCulture,
                $"The gzip file expands more than {limits.MaxCompressionRatio:N0} times ({source.BytesRead:N0} compressed bytes gave {_total:N0}): refused as a likely decompression bomb."), "ratio");
        }
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
