using SecureGateway.Cli;

return await GatewayCommands.Create().Parse(args).InvokeAsync();
