/** The command line of `sk-llm-gateway` (kept apart from cli.ts, which runs on import). */
export const usage = `Usage: sk-llm-gateway [serve|check-config|version] [--config-dir DIR] [--host HOST] [--port PORT] [--demo]

  serve          run the gateway (default)
  serve --demo   try it without vendor keys: a built-in simulated provider, data in <data dir>/demo
  check-config   validate the configuration, print a summary, exit non-zero on errors
  version        print the version`;

export interface CliArgs {
  command: string;
  configDir?: string;
  host?: string;
  port?: number;
  workers?: number;
  demo?: boolean;
}

export const parseArgs = (argv: string[]): CliArgs => {
  const args: CliArgs = { command: 'serve' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === '--config-dir') args.configDir = next();
    else if (arg.startsWith('--config-dir=')) args.configDir = arg.slice(13);
    else if (arg === '--host') args.host = next();
    else if (arg === '--port') args.port = Number(next());
    else if (arg === '--workers') args.workers = Number(next());
    else if (arg === '--demo') args.demo = true;
    else if (arg === '--help' || arg === '-h') args.command = 'help';
    else if (!arg.startsWith('-')) args.command = arg;
    else throw new Error(`unknown option ${arg}`);
  }
  return args;
};

