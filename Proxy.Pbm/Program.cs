using Proxy.Pbm;

return await PbmCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
