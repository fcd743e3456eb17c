using Mrc.Cli;

return await MrcCommandLine.RunAsync(args, Console.Out, Console.Error);
