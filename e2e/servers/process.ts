/**
 * Child processes for the test servers: each one runs in its own process group so that
 * stop() can take down a whole tree (nginx master + workers) with one signal, keeps the
 * tail of its output for failure messages, and is SIGKILLed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Raised when a server or publisher cannot be started or misbehaves while starting. */
export class LaunchError extends Error {
  constructor(
    readonly code: 'LAUNCH_EXITED' | 'LAUNCH_TIMEOUT' | 'LAUNCH_SPAWN_FAILED' | 'LAUNCH_PORT_RACE',
    message: string,
    readonly output = '',
  ) {
    super(output ? `${message}\n--- output ---\n${output}` : message);
    this.name = 'LaunchError';
  }
}

const MAX_LOG_CHARS = 64 * 1024;

/** Process groups still alive; the exit handler SIGKILLs them all. */
const liveGroups = new Set<number>();
let exitHandlerInstalled = false;

function killGroupNow(pid: number, signal: NodeJS.Signals): void {
  try {
    // A negative pid addresses the whole process group (POSIX kill(2)).
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  const killAll = (): void => {
    for (const pid of liveGroups) killGroupNow(pid, 'SIGKILL');
    liveGroups.clear();
  };
  process.on('exit', killAll);
  // Our children live in their own process groups, so a Ctrl-C on the terminal does not
  // reach them: forward fatal signals, then let the default action run if nobody else
  // handles the signal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

export interface ManagedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or 128 + signal number style: -1 when killed by a signal). */
  readonly exited: Promise<number>;
  readonly hasExited: () => boolean;
  logs(): string;
  /** Registers a callback for every chunk of stdout/stderr text. */
  onOutput(listener: (text: string) => void): void;
  /** Signals the group, waits up to graceMs, then SIGKILLs the group. Idempotent. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

export interface StartProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Prefix for lines in logs(), e.g. "nginx". */
  label: string;
}

export function startProcess(command: string, args: readonly string[], options: StartProcessOptions): ManagedProcess {
  installExitHandler();
  let log = `$ ${command} ${args.join(' ')}\n`;
  const listeners: ((text: string) => void)[] = [];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) {
    throw new LaunchError('LAUNCH_SPAWN_FAILED', `${options.label}: could not spawn ${command}`);
  }
  const pid = child.pid;
  liveGroups.add(pid);
  // A detached child would otherwise keep the test process alive.
  child.unref();

  const append = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    log += text;
    if (log.length > MAX_LOG_CHARS) log = log.slice(log.length - MAX_LOG_CHARS);
    for (const listener of listeners) listener(text);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let done = false;
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      log += `\n[${options.label}] spawn error: ${error.message}\n`;
      done = true;
      liveGroups.delete(pid);
      resolve(-1);
    });
    child.once('exit', (code, signal) => {
      done = true;
      // The group may still hold grandchildren (nginx workers): take them down too.
      killGroupNow(pid, 'SIGKILL');
      liveGroups.delete(pid);
      log += `\n[${options.label}] exited with ${code ?? signal}\n`;
      resolve(code ?? -1);
    });
  });

  let stopping: Promise<number> | undefined;
  const stop = (signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<number> => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (!done) {
        killGroupNow(pid, signal);
        const timer = setTimeout(() => killGroupNow(pid, 'SIGKILL'), graceMs);
        try {
          await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      // Make sure no member of the group outlives its leader.
      killGroupNow(pid, 'SIGKILL');
      return exited;
    })();
    return stopping;
  };

  return {
    pid,
    child,
    exited,
    hasExited: () => done,
    logs: () => log,
    onOutput: (listener) => listeners.push(listener),
    stop,
  };
}

/**
 * True when some socket is listening on 127.0.0.1:port (or 0.0.0.0:port). Reads
 * /proc/net/tcp instead of connecting, because a connect would consume the only client
 * that `ffmpeg -listen 1` serves.
 */
export function isListening(port: number): boolean {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const wanted = new Set([`0100007F:${portHex}`, `00000000:${portHex}`]);
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return false;
  }
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // fields: sl local_address rem_address st ...; st 0A = TCP_LISTEN
    if (fields.length > 3 && wanted.has(fields[1] ?? '') && fields[3] === '0A') return true;
  }
  return false;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `ready` every intervalMs until it returns true; fails early if the process exits.
 */
export async function waitUntil(
  what: string,
  ready: () => boolean | Promise<boolean>,
  proc: ManagedProcess | undefined,
  timeoutMs: number,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (await ready()) return;
    if (proc?.hasExited()) {
      throw new LaunchError('LAUNCH_EXITED', `${what}: process exited before it was ready`, proc.logs());
    }
    if (Date.now() > deadline) {
      throw new LaunchError('LAUNCH_TIMEOUT', `${what}: not ready after ${timeoutMs} ms`, proc?.logs() ?? '');
    }
    await sleep(intervalMs);
  }
}
