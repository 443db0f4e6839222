using System.Buffers.Text;
using System.Text;

namespace SmartShop.Core.Synthetic;

/// <summary>
/// A minimal buffered writer of ASCII rows straight to a stream: the generator's output is all ASCII, and formatting
/// numbers and timestamps by hand here is what lets it write well over half a million events a second.
/// </summary>
internal sealed class AsciiRowWriter(Stream stream)
{
    private const int BufferSize = 1 << 16;
    private const int MaxTokenLength = 512;

    private readonly byte[] _buffer = new byte[BufferSize];
    private int _position;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > BufferSize - _position)
        {
            Flush();
            if (bytes.Length > BufferSize)
            {
                stream.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_position));
        _position += bytes.Length;
    }

    public void Write(byte value)
    {
        Reserve(1);
        _buffer[_position++] = value;
    }

    /// <summary>Writes text known to be ASCII (names and codes the generator made itself).</summary>
    public void WriteAscii(string text)
    {
        if (text.Length > MaxTokenLength)
        {
            Write(Encoding.ASCII.GetBytes(text));
            return;
        }
        Reserve(text.Length);
        _position += Encoding.ASCII.GetBytes(text, _buffer.AsSpan(_position));
    }

    public void Write(long value)
    {
        Reserve(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_position), out var written);
        _position += written;
    }

    public void Write(ulong value)
    {
        Reserve(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_position), out var written);
        _position += written;
    }

    /// <summary>An amount in cents as a decimal with two places ("-2.50").</summary>
    public void WriteCents(long cents)
    {
        Reserve(24);
        if (cents < 0)
        {
            _buffer[_position++] = (byte)'-';
            cents = -cents;
        }
        Utf8Formatter.TryFormat(cents / 100, _buffer.AsSpan(_position), out var written);
        _position += written;
        _buffer[_position++] = (byte)'.';
        WriteTwoDigits((int)(cents % 100));
    }

    /// <summary>Writes "HH:mm:ss" for a time of day in milliseconds.</summary>
    public void WriteTimeOfDay(int millisecondsOfDay)
    {
        Reserve(8);
        var seconds = millisecondsOfDay / 1000;
        WriteTwoDigits(seconds / 3600);
        _buffer[_position++] = (byte)':';
        WriteTwoDigits(seconds / 60 % 60);
        _buffer[_position++] = (byte)':';
        WriteTwoDigits(seconds % 60);
    }

    /// <summary>Writes ".fff" milliseconds.</summary>
    public void WriteMilliseconds(int millisecondsOfDay)
    {
        Reserve(4);
        var milliseconds = millisecondsOfDay % 1000;
        _buffer[_position++] = (byte)'.';
        _buffer[_position++] = (byte)('0' + (milliseconds / 100));
        WriteTwoDigits(milliseconds % 100);
    }

    public void Flush()
    {
        if (_position > 0)
        {
            stream.Write(_buffer, 0, _position);
            _position = 0;
        }
        stream.Flush();
    }

    private void WriteTwoDigits(int value)
    {
        _buffer[_position++] = (byte)('0' + (value / 10));
        _buffer[_position++] = (byte)('0' + (value % 10));
    }

    private void Reserve(int length)
    {
        if (BufferSize - _position < length)
        {
            stream.Write(_buffer, 0, _position);
            _position = 0;
        }
    }
}
