using System.CommandLine;

namespace SmartShop.Cli;

/// <summary>Runs the command tree and turns expected failures (bad files, bad arguments) into one precise line on stderr.</summary>
internal static class CommandLineRunner
{
    public const int InputError = 2;
    public const int Cancelled = 130;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(configuration);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return Cancelled;
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or ArgumentException
                                              or FormatException or UnauthorizedAccessException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            return InputError;
        }
    }
}
