using System.Globalization;

namespace SmartShop.Core.Data;

/// <summary>
/// Bounds on what an input file may expand to once opened, enforced by the one place files are opened
/// (<see cref="InputFile.OpenText(Stream, string?, InputLimits?)"/>): the decompressed size (absolute and
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

    /// <summary>Throws once <paramref name="total"/> bytes read pass <see cref="MaxBytes"/> or, for gzip, the ratio to the compressed bytes read.</summary>
    internal void CheckBytes(long total, CountingStream? compressed)
    {
        if (total > MaxBytes)
        {
            throw TooLarge(string.Create(CultureInfo.InvariantCulture,
                $"The file is larger than the limit of {MaxBytes:N0} bytes{(compressed is null ? "" : " once decompressed")}."), SizeLimit);
        }
        if (compressed is { BytesRead: > 0 } source && total > RatioFloorBytes && total > source.BytesRead * MaxCompressionRatio)
        {
            throw TooLarge(string.Create(CultureInfo.InvariantCulture,
                $"The gzip file expands more than {MaxCompressionRatio:N0} times ({source.BytesRead:N0} compressed bytes gave {total:N0}): refused as a likely decompression bomb."), "ratio");
        }
    }

    internal InvalidDataException TooManyColumns(long line, int found) =>
        TooLarge(string.Create(CultureInfo.InvariantCulture, $"Line {line:N0} has {found:N0} fields, over the limit of {MaxColumns:N0}."), "columns");

    private const string TooLargeMark = "SmartShop.InputTooLarge";
}
