/**
 * Our bridge in its own process, as it is deployed, so its CPU can be read from /proc.
 *   --target-port P   an upstream allowed (127.0.0.1:P); repeat for more
 * Limits that would cap a benchmark (per-IP connections, the 8 MiB/s page rate, pings, idle
 * timeout) are lifted; everything else is the default. Prints "LISTENING <port>".
 */
import { createBridge } from '@rtmp-web/bridge';

const targetPorts = process.argv.flatMap((arg, i) => (arg === '--target-port' ? [Number(process.argv[i + 1])] : []));
// --limit name=value overrides one bridge limit (for experiments; the benchmarks use none).
const overrides = Object.fromEntries(
  process.argv.flatMap((arg, i) => (arg === '--limit' ? [process.argv[i + 1]!.split('=')] : [])).map(([k, v]) => [k, Number(v)]),
);
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const bridge = await createBridge({
  host: '127.0.0.1',
  port: 0,
  allow: targetPorts.map((port) => `127.0.0.1:${port}`),
  metrics: false,
  logger: silent,
  limits: {
    maxConnections: 20_000,
    maxConnectionsPerIp: 20_000,
    maxBytesPerSecondToPage: 0,
    maxBytesPerSecondToUpstream: 0,
    idleTimeoutMs: 0,
    pingIntervalMs: 0,
    handshakeTimeoutMs: 30_000,
    upstreamConnectTimeoutMs: 30_000,
    ...overrides,
  },
});
console.log(`LISTENING ${bridge.port}`);
process.on('SIGTERM', () => {
  void bridge.close(2000).then(() => process.exit(0));
});
