/**
 * `rtmp-web <command> [options]`: the command-line entry (root script `pnpm --silent rtmp-web ...`,
 * and `pnpm start` = `rtmp-web demo`). Each command lives in its own module, owned by the helper
 * who wrote it, and exports `run<Name>Command(argv): Promise<number>` returning the exit code:
 *   probe  -> ./probe/probe-command.ts  (runProbeCommand)
 *   bridge -> ./bridge-command.ts       (runBridgeCommand)
 *   demo   -> ./demo/index.ts           (runDemoCommand)
 * Commands are imported lazily so that one command's dependencies (Vite for the demo, ws for the
 * bridge) are not loaded to run another.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type CommandRunner = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandRunner> }> = {
  probe: {
    summary: 'connect to an RTMP URL, play it and report what arrives',
    load: () => import('./probe/probe-command').then((module) => (argv) => module.runProbeCommand(argv)),
  },
  bridge: {
    summary: 'run the WebSocket-to-RTMP bridge',
    load: () => import('./bridge-command').then((module) => (argv) => module.runBridgeCommand(argv)),
  },
  demo: {
    summary: 'run the built-in demo: RTMP source, bridge and the demo page',
    load: () => import('./demo/index').then((module) => (argv) => module.runDemoCommand(argv)),
  },
};

export const USAGE = `usage: rtmp-web <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`)
  .join('\n')}

Run "rtmp-web <command> --help" for the options of one command.`;

/** Runs one command line (without the program name) and returns the exit code: 2 for usage errors. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`rtmp-web: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  const run = await command.load();
  return run(rest);
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
