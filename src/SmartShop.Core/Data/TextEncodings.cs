using System.Text;

namespace SmartShop.Core.Data;

/// <summary>
/// The text encodings an input file may declare. UTF-8 is decoded strictly: a byte sequence that is not UTF-8
/// stops the read with a message naming the likely encoding, instead of turning into U+FFFD in ids and titles.
/// </summary>
public static class TextEncodings
{
    public const string Names = "utf-8, latin1 (iso-8859-1), windows-1252, utf-16";

    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static Encoding Resolve(string? name) => (name ?? "utf-8").Trim().ToLowerInvariant() switch
    {
        "" or "utf-8" or "utf8" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
        "latin1" or "latin-1" or "iso-8859-1" or "iso8859-1" => Encoding.Latin1,
        "windows-1252" or "cp1252" => Windows1252(),
        "utf-16" or "utf16" or "utf-16le" => new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true),
        _ => throw new ArgumentException($"Unknown encoding '{name}' (supported: {Names})."),
    };

    private static Encoding Windows1252()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }

    /// <summary>A reader over <paramref name="stream"/> that reports undecodable bytes as <see cref="InvalidDataException"/>.</summary>
    public static TextReader Open(Stream stream, string? encodingName)
    {
        var encoding = Resolve(encodingName);
        return new CheckedReader(new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), encoding);
    }

    internal static InvalidDataException NotDecodable(Encoding encoding, DecoderFallbackException e)
    {
        var bytes = e.BytesUnknown is { Length: > 0 } unknown ? string.Join(' ', unknown.Take(4).Select(b => $"0x{b:X2}")) : "a byte";
        var hint = encoding is UTF8Encoding && e.BytesUnknown is { Length: > 0 } b && b.Any(x => x >= 0x80)
            ? " It looks like a single-byte encoding: read it with encoding latin1 or windows-1252."
            : "";
        return new InvalidDataException($"The file is not valid {encoding.WebName.ToUpperInvariant()}: {bytes} cannot be decoded.{hint}", e);
    }

    // Translates the decoder's exception at every read entry point; everything else is delegated.
    private sealed class CheckedReader(StreamReader inner, Encoding encoding) : TextReader
    {
        public override int Peek() => Guard(inner.Peek);

        public override int Read() => Guard(inner.Read);

        public override int Read(char[] buffer, int index, int count) => Guard(() => inner.Read(buffer, index, count));

        public override int Read(Span<char> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (DecoderFallbackException e)
            {
                throw NotDecodable(encoding, e);
            }
        }

        public override string? ReadLine() => Guard(inner.ReadLine);

        public override string ReadToEnd() => Guard(inner.ReadToEnd);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        private T Guard<T>(Func<T> read)
        {
            try
            {
                return read();
            }
            catch (DecoderFallbackException e)
            {
                throw NotDecodable(encoding, e);
            }
        }
    }
}
