import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitUntil } from './peers';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

export interface RunningCommand {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exit: Promise<number | null>;
}

/** Runs `rtmp-web bridge ...` (packages/cli/src/main.ts under tsx) as its own process. */
export function spawnBridgeCommand(args: string[], env: Record<string, string> = {}): RunningCommand {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'bridge', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** Starts the command and waits for its "listening on ws://..." line; returns that URL too. */
export async function startBridgeCommand(args: string[], env: Record<string, string> = {}): Promise<RunningCommand & { url: string }> {
  const command = spawnBridgeCommand(args, env);
  await waitUntil(() => /listening on (wss?:\/\/\S+)/.test(command.stderr()) || command.child.exitCode !== null, 30_000, 'the bridge command to listen');
  const url = /listening on (wss?:\/\/\S+)/.exec(command.stderr())?.[1];
  if (!url) throw new Error(`the bridge command did not start:\n${command.stderr()}`);
  return { ...command, url };
}

/** The JSON log records the command wrote on stdout. */
export function logRecords(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
