using System.CommandLine;

namespace SmartShop.Cli;

/// <summary>
/// Runs the command tree and turns expected failures (bad files, bad arguments, a storage account that does not
/// answer) into one precise line on stderr and exit code 2.
/// </summary>
internal static class CommandLineRunner
{
    public const int InputError = 2;
    public const int Cancelled = 130;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && !args.Contains("--help") && !args.Contains("-h"))
            {
                // One precise line and the input-error code, as for every other bad input (not the help page and 1).
                await Console.Error.WriteLineAsync($"error: {parsed.Errors[0].Message} (see --help)");
                return InputError;
            }
            return await parsed.InvokeAsync(configuration);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return Cancelled;
        }
        catch (Exception exception) when (CliStorage.Unreachable(exception) is { } unreachable)
        {
            await Console.Error.WriteLineAsync($"error: {unreachable}");
            return InputError;
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or ArgumentException
                                              or FormatException or UnauthorizedAccessException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            return InputError;
        }
    }
}
