/**
 * Processes for the relay benchmarks: start a worker or websockify, wait for its port, and
 * read the CPU time of its whole process tree from /proc (websockify forks per connection).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../servers/ports';
import { isListening, startProcess, waitUntil, type ManagedProcess } from '../../servers/process';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Linux USER_HZ; /proc/<pid>/stat times are in these ticks. */
const CLOCK_TICKS_PER_SEC = 100;

export interface RunningServer {
  proc: ManagedProcess;
  port: number;
}

/** Runs e2e/bench/workers/<name>.ts under tsx and waits for its "LISTENING <port>" line. */
export async function startWorker(name: string, args: string[]): Promise<RunningServer> {
  const proc = startProcess(process.execPath, ['--import', 'tsx', join(HERE, '..', 'workers', `${name}.ts`), ...args], {
    label: name,
    cwd: join(HERE, '..', '..'),
  });
  let port = 0;
  proc.onOutput((text) => {
    const match = /LISTENING (\d+)/.exec(text);
    if (match) port = Number(match[1]);
  });
  await waitUntil(`${name} listening`, () => port > 0, proc, 30_000);
  return { proc, port };
}

/** websockify (the Debian package) from a free port to 127.0.0.1:targetPort. */
export async function startWebsockify(targetPort: number): Promise<RunningServer> {
  const port = await freePort();
  const proc = startProcess('websockify', [`127.0.0.1:${port}`, `127.0.0.1:${targetPort}`], { label: 'websockify' });
  await waitUntil('websockify listening', () => isListening(port), proc, 15_000);
  return { proc, port };
}

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
}

function readStat(pid: string): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3), so field n is fields[n - 3].
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { ppid, ticks };
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by `rootPid` and every live descendant, including descendants
 * they already reaped (cutime/cstime). A descendant that exits before its parent reaps it
 * is lost for that moment; sample after the load, before stopping anything.
 */
export function processTreeCpuSeconds(rootPid: number): number {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat) stats.set(Number(entry), stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  let ticks = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return ticks / CLOCK_TICKS_PER_SEC;
}

/** Resident memory of a process tree, MiB (VmRSS summed; shared pages count once per process). */
export function processTreeRssMiB(rootPid: number): number {
  let kib = 0;
  const queue = [rootPid];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const tasks = readdirSync(`/proc/${pid}/task`);
      for (const task of tasks) {
        const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
        if (text) queue.push(...text.split(' ').map(Number));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return kib / 1024;
}
