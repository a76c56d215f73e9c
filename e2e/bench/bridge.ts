/**
 * Issue 6, item 3: the bridge as a relay, against websockify (Debian package) and against
 * direct TCP, on loopback. The source is a plain TCP server in its own process (to a relay,
 * RTMP bytes are bytes); each relay runs in its own process so its CPU can be read from /proc.
 *
 * 1. One connection: N bytes as fast as they go, source -> relay -> client; MB/s end to end,
 *    relay CPU per MB (process tree), client CPU per MB (this process).
 * 2. Fan-out: N viewers each fed 2.5 Mbit/s by the source through the relay; N steps up until
 *    a viewer falls behind (under 95% of the rate over the window, or more than 1 s of media
 *    behind since it connected), or a time/memory budget ends the run.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import WebSocket from 'ws';
import { MB, formatNumber, formatRatio, median } from './lib/measure';
import { processTreeCpuSeconds, processTreeRssMiB, startWebsockify, startWorker, type RunningServer } from './lib/proc';
import type { BenchContext, BenchOutcome, Benchmark, ResultTable, TargetCheck } from './lib/result';
import { sleep } from '../servers/process';

type RelayName = 'direct TCP' | 'rtmp-web bridge' | 'websockify';
const RELAYS: RelayName[] = ['direct TCP', 'rtmp-web bridge', 'websockify'];

interface Relay {
  name: RelayName;
  server: RunningServer | null;
  /** Opens a client through this relay; calls onData with every byte run, onEnd once. */
  open(onData: (n: number) => void, onEnd: (error?: Error) => void): { opened: Promise<void>; close(): void };
}

function makeRelay(name: RelayName, server: RunningServer | null, sourcePort: number): Relay {
  return {
    name,
    server,
    open(onData, onEnd) {
      if (name === 'direct TCP') {
        const socket = connect({ host: '127.0.0.1', port: sourcePort });
        socket.setNoDelay(true);
        const opened = new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('error', reject);
        });
        socket.on('data', (chunk: Buffer) => onData(chunk.length));
        socket.on('error', (error) => onEnd(error));
        socket.on('close', () => onEnd());
        return { opened, close: () => socket.destroy() };
      }
      const url =
        name === 'rtmp-web bridge'
          ? `ws://127.0.0.1:${server!.port}/?target=127.0.0.1:${sourcePort}`
          : `ws://127.0.0.1:${server!.port}/`;
      // No compression: neither relay would use it for media, and websockify cannot.
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 60_000 });
      const opened = new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.on('message', (data: Buffer) => onData(data.length));
      ws.on('error', (error) => onEnd(error));
      ws.on('close', () => onEnd());
      return { opened, close: () => ws.terminate() };
    },
  };
}

async function startRelay(name: RelayName, sourcePort: number): Promise<Relay> {
  if (name === 'direct TCP') return makeRelay(name, null, sourcePort);
  const server = name === 'rtmp-web bridge' ? await startWorker('bridge', ['--target-port', String(sourcePort)]) : await startWebsockify(sourcePort);
  return makeRelay(name, server, sourcePort);
}

interface TransferSample {
  relay: RelayName;
  mbPerSec: number;
  relayCpuMsPerMb: number;
  clientCpuMsPerMb: number;
  bytes: number;
}

async function transferOnce(relay: Relay, total: number): Promise<TransferSample> {
  const relayCpu0 = relay.server ? processTreeCpuSeconds(relay.server.proc.pid) : 0;
  const client0 = process.cpuUsage();
  const start = performance.now();
  let received = 0;
  let lastByteAt = start;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const conn = relay.open(
      (n) => {
        received += n;
        lastByteAt = performance.now();
        if (received >= total && !settled) {
          settled = true;
          conn.close();
          resolve();
        }
      },
      (error) => {
        if (settled) return;
        settled = true;
        if (received >= total) resolve();
        else reject(new Error(`${relay.name}: connection ended after ${received} of ${total} bytes${error ? `: ${error.message}` : ''}`));
      },
    );
    conn.opened.catch(reject);
  });
  const seconds = (lastByteAt - start) / 1000;
  const client = process.cpuUsage(client0);
  const relayCpu = relay.server ? processTreeCpuSeconds(relay.server.proc.pid) - relayCpu0 : 0;
  const mb = received / MB;
  return {
    relay: relay.name,
    mbPerSec: mb / seconds,
    relayCpuMsPerMb: (relayCpu * 1000) / mb,
    clientCpuMsPerMb: (client.user + client.system) / 1000 / mb,
    bytes: received,
  };
}

async function singleConnection(context: BenchContext): Promise<{ table: ResultTable; targets: TargetCheck[]; data: unknown; notes: string[] }> {
  const total = context.quick ? 256 * MB : 1024 * MB;
  const rounds = context.quick ? 2 : 4;
  const source = await startWorker('tcp-source', ['--mode', 'bulk', '--bytes', String(total)]);
  const relays: Relay[] = [];
  try {
    for (const name of RELAYS) relays.push(await startRelay(name, source.port));
    const samples: TransferSample[] = [];
    // One warm-up transfer each (JIT, socket buffers), then interleaved rounds.
    for (const relay of relays) await transferOnce(relay, Math.min(total, 64 * MB));
    for (let round = 0; round < rounds; round++) {
      for (const relay of relays) {
        const sample = await transferOnce(relay, total);
        context.log(`one connection, ${relay.name}: ${formatNumber(sample.mbPerSec, 0)} MB/s`);
        samples.push(sample);
      }
    }
    const summary = RELAYS.map((name) => {
      const mine = samples.filter((s) => s.relay === name);
      return {
        relay: name,
        mbPerSec: median(mine.map((s) => s.mbPerSec)),
        min: Math.min(...mine.map((s) => s.mbPerSec)),
        max: Math.max(...mine.map((s) => s.mbPerSec)),
        relayCpuMsPerMb: median(mine.map((s) => s.relayCpuMsPerMb)),
        clientCpuMsPerMb: median(mine.map((s) => s.clientCpuMsPerMb)),
      };
    });
    const direct = summary.find((s) => s.relay === 'direct TCP')!.mbPerSec;
    const ours = summary.find((s) => s.relay === 'rtmp-web bridge')!;
    const websockify = summary.find((s) => s.relay === 'websockify')!;
    return {
      table: {
        title: `One connection, ${total / MB} MB per transfer, median of ${rounds} interleaved transfers`,
        columns: ['path', 'MB/s (median)', 'min..max', 'vs direct TCP', 'relay CPU ms/MB', 'client CPU ms/MB'],
        rows: summary.map((s) => [
          s.relay,
          formatNumber(s.mbPerSec, 0),
          `${formatNumber(s.min, 0)}..${formatNumber(s.max, 0)}`,
          formatRatio(s.mbPerSec / direct),
          s.relay === 'direct TCP' ? '(no relay)' : formatNumber(s.relayCpuMsPerMb, 2),
          formatNumber(s.clientCpuMsPerMb, 2),
        ]),
      },
      targets: [
        {
          measure: 'bridge, one connection',
          target: '>= 0.9x direct TCP',
          actual: `${formatRatio(ours.mbPerSec / direct)} (websockify ${formatRatio(websockify.mbPerSec / direct)}; bridge ${formatRatio(ours.mbPerSec / websockify.mbPerSec)} websockify)`,
          met: ours.mbPerSec / direct >= 0.9,
        },
      ],
      data: { totalBytes: total, samples, summary },
      notes: [
        ...(ours.mbPerSec < websockify.mbPerSec
          ? ['Why the bridge trails websockify on one connection (investigated, not fixed): a CPU profile of the bridge process during a transfer shows it mostly idle or in writev, i.e. waiting, not computing. Its default maxBufferedToPage (1 MiB) pauses the upstream socket whenever the page socket holds 1 MiB, and each pause/resume costs event-loop turns; in an experiment on this machine raising that limit to 16 MiB took the bridge from about 170 to about 245 MB/s. The rest of the gap is not explained yet.']
          : []),
        'Why both relays stay well under direct TCP: every byte crosses two more loopback sockets and a WebSocket framing step, and the relay process competes with the source and the client for the same 2 cores; the bridge also pauses its upstream at 1 MiB buffered toward the page (maxBufferedToPage), which caps its in-flight data.',
        `One connection: our bridge moves ${formatRatio(ours.mbPerSec / websockify.mbPerSec)} websockify's MB/s at ${formatRatio(ours.relayCpuMsPerMb / websockify.relayCpuMsPerMb)} its CPU per MB.`,
      ],
    };
  } finally {
    for (const relay of relays) await relay.server?.proc.stop('SIGTERM', 3000);
    await source.proc.stop('SIGTERM', 3000);
  }
}

const VIEWER_RATE = 2_500_000 / 8;

interface FanOutStep {
  relay: RelayName;
  viewers: number;
  connected: number;
  behind: number;
  /** Slowest viewer's share of the rate over the window. */
  worstRateShare: number;
  /** Largest lag behind the source at the end of the window, seconds of media. */
  worstLagSec: number;
  relayCpuPercent: number;
  /** The viewers' process (this one) and the source's, to see which side saturated. */
  clientCpuPercent: number;
  sourceCpuPercent: number;
  relayRssMiB: number;
  connectSec: number;
  /** Kernel TCP buffer memory at the end of the window (/proc/net/sockstat), MiB. */
  kernelTcpMiB: number | null;
  /** The first connect failure, when viewers failed to connect. */
  firstConnectError: string | null;
}

/** Pages of kernel memory all TCP sockets hold now (`TCP: ... mem N` in /proc/net/sockstat). */
function kernelTcpPages(): number | null {
  try {
    const match = /^TCP:.* mem (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** net.ipv4.tcp_mem (low, pressure, high) in pages: above "pressure" the kernel starts squeezing TCP buffers. */
function tcpMemLimits(): number[] | null {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_mem', 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return null;
  }
}

const PAGE_MIB = 4096 / (1024 * 1024);

async function fanOutStep(name: RelayName, viewers: number, windowSec: number): Promise<FanOutStep> {
  const source = await startWorker('tcp-source', ['--mode', 'paced', '--rate', String(VIEWER_RATE)]);
  let relay: Relay | null = null;
  const connections: { close(): void }[] = [];
  try {
    relay = await startRelay(name, source.port);
    const received = new Float64Array(viewers);
    const connectedAt = new Float64Array(viewers);
    let connected = 0;
    let firstConnectError: string | null = null;
    const connectStart = performance.now();
    const BATCH = 50;
    for (let i = 0; i < viewers; i += BATCH) {
      const batch: Promise<void>[] = [];
      for (let j = i; j < Math.min(viewers, i + BATCH); j++) {
        const conn = relay.open(
          (n) => {
            received[j] = received[j]! + n;
          },
          () => undefined,
        );
        connections.push(conn);
        // A viewer that cannot connect within 10 s counts as behind; the step goes on without it.
        const timeout = sleep(10_000).then(() => Promise.reject(new Error('connect timeout')));
        batch.push(
          Promise.race([conn.opened, timeout]).then(
            () => {
              connectedAt[j] = performance.now();
              connected++;
            },
            (error: unknown) => {
              firstConnectError ??= error instanceof Error ? error.message : String(error);
            },
          ),
        );
      }
      await Promise.all(batch);
    }
    const connectSec = (performance.now() - connectStart) / 1000;
    await sleep(2000);
    const at0 = performance.now();
    const start = Float64Array.from(received);
    const cpu0 = relay.server ? processTreeCpuSeconds(relay.server.proc.pid) : 0;
    const sourceCpu0 = processTreeCpuSeconds(source.proc.pid);
    const client0 = process.cpuUsage();
    await sleep(windowSec * 1000);
    const at1 = performance.now();
    const cpu1 = relay.server ? processTreeCpuSeconds(relay.server.proc.pid) : 0;
    const sourceCpu1 = processTreeCpuSeconds(source.proc.pid);
    const client = process.cpuUsage(client0);
    const rss = relay.server ? processTreeRssMiB(relay.server.proc.pid) : 0;
    const tcpPages = kernelTcpPages();
    let behind = 0;
    let worstShare = Infinity;
    let worstLag = 0;
    for (let i = 0; i < viewers; i++) {
      if (connectedAt[i] === 0) {
        behind++;
        worstShare = 0;
        continue;
      }
      const share = (received[i]! - start[i]!) / (VIEWER_RATE * ((at1 - at0) / 1000));
      // The source starts its clock at accept, a moment before the client sees 'open'.
      const lag = ((at1 - connectedAt[i]!) / 1000) - received[i]! / VIEWER_RATE;
      worstShare = Math.min(worstShare, share);
      worstLag = Math.max(worstLag, lag);
      if (share < 0.95 || lag > 1) behind++;
    }
    return {
      relay: name,
      viewers,
      connected,
      behind,
      worstRateShare: worstShare,
      worstLagSec: worstLag,
      relayCpuPercent: ((cpu1 - cpu0) / ((at1 - at0) / 1000)) * 100,
      clientCpuPercent: ((client.user + client.system) / 1000 / (at1 - at0)) * 100,
      sourceCpuPercent: ((sourceCpu1 - sourceCpu0) / ((at1 - at0) / 1000)) * 100,
      relayRssMiB: rss,
      connectSec,
      kernelTcpMiB: tcpPages === null ? null : tcpPages * PAGE_MIB,
      firstConnectError,
    };
  } finally {
    for (const conn of connections) conn.close();
    await relay?.server?.proc.stop('SIGTERM', 3000);
    await source.proc.stop('SIGTERM', 3000);
  }
}

async function fanOut(context: BenchContext): Promise<{ table: ResultTable; targets: TargetCheck[]; data: unknown; notes: string[] }> {
  const steps = context.quick ? [100, 400, 1000] : [100, 250, 400, 550, 700, 850, 1000, 1250, 1500, 2000];
  const windowSec = context.quick ? 4 : 10;
  const budgetMs = context.quick ? 120_000 : 420_000;
  const results: FanOutStep[] = [];
  const held = new Map<RelayName, number>();
  const notes: string[] = [];
  for (const name of ['rtmp-web bridge', 'websockify'] as const) {
    const started = Date.now();
    held.set(name, 0);
    for (const viewers of steps) {
      if (Date.now() - started > budgetMs) {
        notes.push(`${name}: stopped stepping at the ${Math.round(budgetMs / 1000)} s budget.`);
        break;
      }
      // websockify forks a Python process per connection; keep 2 GB free.
      if (name === 'websockify' && freemem() < viewers * 12 * 1024 * 1024 + 2 * 1024 ** 3) {
        notes.push(`websockify: ${viewers} viewers skipped, not enough free memory for a process each.`);
        break;
      }
      const step = await fanOutStep(name, viewers, windowSec);
      results.push(step);
      context.log(
        `fan-out ${name}, ${viewers} viewers: ${step.behind} behind (worst ${formatNumber(step.worstRateShare * 100, 0)}% of rate, lag ${formatNumber(step.worstLagSec, 2)} s), CPU relay ${formatNumber(step.relayCpuPercent, 0)}%, viewers ${formatNumber(step.clientCpuPercent, 0)}%, source ${formatNumber(step.sourceCpuPercent, 0)}%`,
      );
      if (step.firstConnectError) notes.push(`${name}, ${viewers} viewers: ${viewers - step.connected} could not connect; first error: ${step.firstConnectError}.`);
      if (step.behind > 0) break;
      held.set(name, viewers);
    }
  }
  const ours = held.get('rtmp-web bridge')!;
  const theirs = held.get('websockify')!;
  const limits = tcpMemLimits();
  if (limits && limits.length === 3) {
    const pressureMiB = limits[1]! * PAGE_MIB;
    notes.push(
      `Kernel TCP memory (net.ipv4.tcp_mem) here: pressure above ${formatNumber(pressureMiB, 0)} MiB, hard limit ${formatNumber(limits[2]! * PAGE_MIB, 0)} MiB, for all TCP socket buffers together. Each viewer holds two loopback connections (source to relay, relay to viewer).`,
    );
    for (const failed of results.filter((r) => r.behind > 0)) {
      if (failed.kernelTcpMiB === null) continue;
      notes.push(
        failed.kernelTcpMiB >= 0.9 * pressureMiB
          ? `${failed.relay} at ${failed.viewers} viewers: the kernel held ${formatNumber(failed.kernelTcpMiB, 0)} MiB of TCP buffers, at the pressure threshold, where Linux stops growing socket buffers and throughput collapses for every connection at once; the limit found is then the machine's TCP memory as configured, not the relay's CPU.`
          : `${failed.relay} at ${failed.viewers} viewers: the kernel held ${formatNumber(failed.kernelTcpMiB, 0)} MiB of TCP buffers, below the pressure threshold; the cause of this step's failure is not identified yet.`,
      );
    }
  }
  const largestTried = Math.max(...results.filter((r) => r.relay === 'rtmp-web bridge').map((r) => r.viewers));
  const oursTopped = results.filter((r) => r.relay === 'rtmp-web bridge').every((r) => r.behind === 0);
  return {
    table: {
      title: `Fan-out: viewers at 2.5 Mbit/s each, ${windowSec} s window after a 2 s settle`,
      columns: ['relay', 'viewers', 'connected', 'behind', 'slowest viewer, % of rate', 'worst lag (s)', 'relay CPU %', 'viewers CPU %', 'source CPU %', 'relay RSS MiB', 'kernel TCP MiB', 'connect time (s)'],
      rows: results.map((r) => [
        r.relay,
        String(r.viewers),
        String(r.connected),
        r.behind === 0 ? '0' : `**${r.behind}**`,
        formatNumber(r.worstRateShare * 100, 0),
        formatNumber(r.worstLagSec, 2),
        formatNumber(r.relayCpuPercent, 0),
        formatNumber(r.clientCpuPercent, 0),
        formatNumber(r.sourceCpuPercent, 0),
        formatNumber(r.relayRssMiB, 0),
        r.kernelTcpMiB === null ? 'n/a' : formatNumber(r.kernelTcpMiB, 0),
        formatNumber(r.connectSec, 1),
      ]),
    },
    targets: [
      {
        measure: 'bridge fan-out',
        target: '>= 1000 viewers at 2.5 Mbit/s, none behind',
        actual: `${ours}${oursTopped ? '+ (largest step tried)' : ''} viewers held (websockify ${theirs})`,
        met: ours >= 1000,
      },
    ],
    data: { steps: results, held: Object.fromEntries(held), largestTried },
    notes: [
      'The machine is shared with other sessions (see the load average in the Runs table); the fan-out limit moves a lot with that load (on this machine runs have ranged from 250 to 700 viewers held for the bridge and from 100 to 400 for websockify). Read the bridge against websockify in the same run, not the absolute count.',
      'Fan-out: a step stops the stepping for that relay as soon as one viewer is behind or failed to connect within 10 s. The source, the relay and every viewer share this machine\'s cores, so the viewers\' own WebSocket decoding competes with the relay; the limit found is that of the whole loopback setup, for both relays alike.',
      ...notes,
    ],
  };
}

async function run(context: BenchContext): Promise<BenchOutcome> {
  const single = await singleConnection(context);
  const fan = await fanOut(context);
  return {
    title: 'Bridge throughput and fan-out (loopback)',
    tables: [single.table, fan.table],
    targets: [...single.targets, ...fan.targets],
    notes: [
      'The source is a plain TCP server process (bytes are bytes to a relay). Our bridge runs in its own Node process with its defaults except the limits that would cap a benchmark (per-IP connections, the 8 MiB/s page rate, pings, idle timeout); websockify 0.10 (Debian) runs with its defaults (a process per connection). The client is `ws` without compression, in the benchmark process.',
      'Relay CPU is the relay\'s whole process tree (utime+stime from /proc), per MB delivered; client CPU is this process (process.cpuUsage) and shows what WebSocket framing costs the receiver compared with raw TCP.',
      ...single.notes,
      ...fan.notes,
    ],
    data: { single: single.data, fanOut: fan.data },
  };
}

export const bridge: Benchmark = {
  name: 'bridge',
  description: 'bridge vs websockify vs direct TCP: one-connection MB/s and CPU/MB; fan-out of 2.5 Mbit/s viewers',
  run,
};
