/**
 * `rtmp-web <command> [options]`: the command-line entry (root script `pnpm --silent rtmp-web ...`,
 * and `pnpm start` = `rtmp-web demo`). Each command lives in its own module and exports
 * `run<Name>Command(argv): Promise<number>` returning the exit code:
 *   probe  -> ./probe/probe-command.ts   (session helper)
 *   bridge -> ./bridge-command.ts        (bridge helper: runBridgeCommand)
 *   demo   -> ./demo/index.ts            (demo helper: runDemoCommand)
 * bridge and demo are loaded lazily so that one command's dependencies (Vite, ws...) are not
 * loaded for another, and so that this dispatcher works while a module is still being written:
 * a module that does not exist yet gives "not available yet" (exit 1) instead of a crash.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type CommandRunner = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandRunner> }> = {
  probe: {
    summary: 'connect to an RTMP URL, play it and report what arrives',
    load: () => import('./probe/probe-command').then((module) => module.runProbeCommand),
  },
  bridge: {
    summary: 'run the WebSocket-to-RTMP bridge',
    load: () => loadRunner('./bridge-command', 'runBridgeCommand'),
  },
  demo: {
    summary: 'run the built-in demo: RTMP source, bridge and the demo page',
    load: () => loadRunner('./demo/index', 'runDemoCommand'),
  },
};

export const USAGE = `usage: rtmp-web <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`)
  .join('\n')}

Run "rtmp-web <command> --help" for the options of one command.`;

class CommandNotAvailable extends Error {}

async function loadRunner(specifier: string, exportName: string): Promise<CommandRunner> {
  let module: Record<string, unknown>;
  try {
    // A variable specifier: resolved at run time (tsx), so a module still being written by
    // another helper is not a type error here. Once it exists this behaves as a normal import.
    module = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(specifier.slice(2))) {
      throw new CommandNotAvailable(`${specifier} does not exist yet`);
    }
    throw error;
  }
  const runner = module[exportName];
  if (typeof runner !== 'function') throw new CommandNotAvailable(`${specifier} does not export ${exportName} yet`);
  return runner as CommandRunner;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`rtmp-web: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  let runner: CommandRunner;
  try {
    runner = await command.load();
  } catch (error) {
    if (error instanceof CommandNotAvailable) {
      process.stderr.write(`rtmp-web: the "${name}" command is not available yet (${error.message})\n`);
      return 1;
    }
    throw error;
  }
  return runner(rest);
}

// Run only as the entry script, not when imported (tests import `main`).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`rtmp-web: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
