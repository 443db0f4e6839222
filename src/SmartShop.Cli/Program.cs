using System.CommandLine;
using SmartShop.Cli;
using SmartShop.Cli.Commands;

var root = new RootCommand("SmartShop offline tool: train, evaluate, recommend and segment from CSV files.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(SegmentCommand.Create());
root.Subcommands.Add(ExplainCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(RecommendCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(RetrainCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(CustomerDataCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(ClvCommand.Create());

return await CommandLineRunner.RunAsync(root, args);
