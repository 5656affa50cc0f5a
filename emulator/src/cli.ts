// Command line of the local HealthImaging emulator:
//   npm run emulator -- --port 4599 --data <folder> [--seed] [--update-delay <ms>] [--latency <ms>]
//                       [--throttle] [--fail-next-updates <n>] [--s3-root <folder>] [--max-attribute-bytes <n>] [--quiet]
import * as path from 'node:path';
import { parseArgs as parseArguments } from 'node:util';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from './server';

export const USAGE = `Usage: npm run emulator -- [options]
  --port <n>                 port on 127.0.0.1 (default 4599; 0 picks a free port)
  --data <folder>            keep the state in this folder (survives restarts); default: in memory
  --seed                     load the deterministic sample data store when the state is empty
  --update-delay <ms>        time an update, copy or deletion stays LOCKED (default 1000)
  --latency <ms>             added latency per request (default 0)
  --throttle                 enforce the service's per-operation request quotas (429 ThrottlingException)
  --fail-next-updates <n>    the next n updates end UPDATE_FAILED
  --s3-root <folder>         the folder s3://<bucket>/<prefix> maps to (<folder>/<bucket>/<prefix>; default <data>/s3)
  --max-attribute-bytes <n>  size limit of updatableAttributes / removableAttributes (default 30000)
  --quiet                    no request log
  --help                     this text`;

export interface CliOptions { emulator: EmulatorOptions; failNextUpdates: number; quiet: boolean; help: boolean }

const OPTIONS = {
  port: { type: 'string' }, data: { type: 'string' }, seed: { type: 'boolean' }, 'update-delay': { type: 'string' },
  latency: { type: 'string' }, throttle: { type: 'boolean' }, 'fail-next-updates': { type: 'string' }, 's3-root': { type: 'string' },
  'max-attribute-bytes': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the arguments; throws an Error naming the bad argument. */
export function parseArgs(argv: string[]): CliOptions {
  const out: CliOptions = { emulator: { port: 4599 }, failNextUpdates: 0, quiet: false, help: false };
  const number = (name: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number => {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) > max) throw new Error(`${name} needs a whole number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''} (got ${value ?? 'nothing'})`);
    return Number(value);
  };
  const folder = (name: string, value: string | undefined): string => {
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a folder`);
    return path.resolve(value);
  };
  // Not strict: every token is judged below, so that each bad one gets this CLI's own message.
  const { tokens } = parseArguments({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional' || !Object.hasOwn(OPTIONS, token.name)) {
      throw new Error(`unknown argument '${argv[token.index]}'`);
    }
    const flag = `--${token.name}`;
    const value = token.value;
    if (OPTIONS[token.name as keyof typeof OPTIONS].type === 'boolean' && value !== undefined) throw new Error(`${flag} takes no value (got ${value})`);
    switch (token.name) {
      case 'port': out.emulator.port = number(flag, value, 65535); break;
      case 'data': out.emulator.dataDir = folder(flag, value); break;
      case 'seed': out.emulator.seed = true; break;
      case 'update-delay': out.emulator.updateDelayMs = number(flag, value); break;
      case 'latency': out.emulator.latencyMs = number(flag, value); break;
      case 'throttle': out.emulator.throttle = true; break;
      case 'fail-next-updates': out.failNextUpdates = number(flag, value); break;
      case 's3-root': out.emulator.s3Root = folder(flag, value); break;
      case 'max-attribute-bytes': out.emulator.maxAttributeBytes = number(flag, value); break;
      case 'quiet': out.quiet = true; break;
      case 'help': out.help = true; break;
    }
  }
  return out;
}

export async function main(argv: string[]): Promise<RunningEmulator | undefined> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    console.error(`emulator: ${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return undefined;
  }
  if (options.help) {
    console.log(USAGE);
    return undefined;
  }
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      ...options.emulator,
      log: options.quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'EADDRINUSE'
      ? `port ${options.emulator.port} on 127.0.0.1 is in use; choose another with --port <n> (0 picks a free one)`
      : err.message;
    console.error(`emulator: cannot start: ${reason}`);
    process.exitCode = 1;
    return undefined;
  }
  if (options.failNextUpdates > 0) emulator.faults.failNextUpdates(options.failNextUpdates);
  console.log(`HealthImaging emulator listening on ${emulator.url}`);
  const stop = (): void => {
    emulator.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return emulator;
}
