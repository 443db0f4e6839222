using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace SmartShop.Functions.Http;

/// <summary>Reading request bodies within a size limit, and recognising JSON bodies by their content type.</summary>
public static class RequestBody
{
    /// <summary>
    /// The request's body as bytes, or null when it is longer than <paramref name="limit"/>: refused unread when
    /// Content-Length already says so, else reading stops at the limit.
    /// </summary>
    public static Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContentLength > limit ? Task.FromResult<byte[]?>(null) : ReadAsync(request.Body, limit, cancellationToken);
    }

    /// <summary>The body as bytes, or null when it is longer than <paramref name="limit"/> (reading stops there).</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>True for <c>application/json</c> and <c>*/*+json</c> (any parameters, e.g. a charset).</summary>
    public static bool IsJson(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
    }
}
