using System.Globalization;
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

    /// <summary>
    /// A reader over <paramref name="stream"/> that reports undecodable bytes as <see cref="InvalidDataException"/>
    /// and a line longer than <see cref="InputLimits.MaxLineLength"/> as an InvalidDataException marked too large (<see cref="InputLimits.LimitOf"/>).
    /// </summary>
    public static TextReader Open(Stream stream, string? encodingName, InputLimits? limits = null)
    {
        var encoding = Resolve(encodingName);
        return new CheckedReader(new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), encoding, (limits ?? InputLimits.Default).MaxLineLength);
    }

    internal static InvalidDataException NotDecodable(Encoding encoding, DecoderFallbackException e)
    {
        var bytes = e.BytesUnknown is { Length: > 0 } unknown ? string.Join(' ', unknown.Take(4).Select(b => $"0x{b:X2}")) : "a byte";
        var hint = encoding is UTF8Encoding && e.BytesUnknown is { Length: > 0 } b && b.Any(x => x >= 0x80)
            ? " It looks like a single-byte encoding: read it with encoding latin1 or windows-1252."
            : "";
        return new InvalidDataException($"The file is not valid {encoding.WebName.ToUpperInvariant()}: {bytes} cannot be decoded.{hint}", e);
    }

    // Translates the decoder's exception at every read entry point and counts the characters since the last line
    // break, so neither CsvHelper (which reads blocks) nor ReadLine can build a line of unbounded length.
    private sealed class CheckedReader(StreamReader inner, Encoding encoding, int maxLineLength) : TextReader
    {
        private readonly char[] _buffer = new char[1 << 14];
        private int _position;
        private int _length;
        private long _run;
        private long _line = 1;

        public override int Peek() => Fill() ? _buffer[_position] : -1;

        public override int Read()
        {
            if (!Fill())
            {
                return -1;
            }
            return _buffer[_position++];
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (_position < _length)
            {
                var served = Math.Min(buffer.Length, _length - _position);
                _buffer.AsSpan(_position, served).CopyTo(buffer);
                _position += served;
                return served;
            }
            var read = ReadInner(buffer);
            Count(buffer[..read]);
            return read;
        }

        public override string? ReadLine()
        {
            if (!Fill())
            {
                return null;
            }
            StringBuilder? builder = null;
            while (true)
            {
                var available = _buffer.AsSpan(_position, _length - _position);
                var end = available.IndexOfAny('\r', '\n');
                if (end >= 0)
                {
                    var line = builder is null ? new string(available[..end]) : builder.Append(available[..end]).ToString();
                    _position += end + 1;
                    if (available[end] == '\r' && Fill() && _buffer[_position] == '\n')
                    {
                        _position++;
                    }
                    return line;
                }
                (builder ??= new StringBuilder()).Append(available);
                _position = _length;
                if (!Fill())
                {
                    return builder.ToString();
                }
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        private bool Fill()
        {
            if (_position < _length)
            {
                return true;
            }
            _position = 0;
            _length = ReadInner(_buffer);
            Count(_buffer.AsSpan(0, _length));
            return _length > 0;
        }

        private int ReadInner(Span<char> buffer)
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

        // Characters are counted as they leave the decoder, once each, whichever entry point asked for them.
        private void Count(ReadOnlySpan<char> chars)
        {
            while (true)
            {
                var end = chars.IndexOfAny('\r', '\n');
                var segment = end < 0 ? chars.Length : end;
                _run += segment;
                if (_run > maxLineLength)
                {
                    throw InputLimits.TooLarge(string.Create(CultureInfo.InvariantCulture,
                        $"Line {_line:N0} is longer than the limit of {maxLineLength:N0} characters."), "line");
                }
                if (end < 0)
                {
                    return;
                }
                if (chars[end] == '\n')
                {
                    _line++;
                }
                _run = 0;
                chars = chars[(end + 1)..];
            }
        }
    }
}
