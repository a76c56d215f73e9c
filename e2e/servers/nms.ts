/**
 * node-media-server v4 (the npm dependency of this package), started from its own
 * `bin/app.js` with a private config file so that it never writes into node_modules
 * (with the bundled config it generates an admin password and saves it back there).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports';
import { LaunchError, startProcess, waitUntil, type ManagedProcess } from './process';
import type { RtmpServerHandle } from './types';

export interface NodeMediaServerHandle extends RtmpServerHandle {
  kind: 'nms';
  httpPort: number;
  /** http://127.0.0.1:HTTP/app/stream.flv (HTTP-FLV) */
  httpFlvUrl(app: string, stream: string): string;
  /** ws://127.0.0.1:HTTP/app/stream.flv (WebSocket-FLV) */
  wsFlvUrl(app: string, stream: string): string;
  restart(): Promise<void>;
}

function nmsAppPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('node-media-server/package.json')), 'bin', 'app.js');
}

export async function startNodeMediaServer(): Promise<NodeMediaServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'rtmp-web-nms-'));
  const configPath = join(dir, 'config.json');
  const dataPath = join(dir, 'data');
  mkdirSync(dataPath);
  const app = nmsAppPath();
  let earlierLogs = '';

  const spawnOn = async (rtmpPort: number, httpPort: number): Promise<ManagedProcess> => {
    // No `auth` section: no JWT API and no secrets to generate; no rtmps/https sections:
    // no certificates needed. Only RTMP and HTTP/WS-FLV, on loopback.
    const config = {
      bind: '127.0.0.1',
      store: { path: dataPath, maxHistory: 100 },
      rtmp: { port: rtmpPort },
      http: { port: httpPort },
      webadmin: { enable: false },
      record: { auto: false, path: join(dir, 'record') },
    };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const proc = startProcess(process.execPath, [app, '-c', configPath, '--no-admin'], { label: 'nms', cwd: dir });
    let rtmpReady = false;
    let httpReady = false;
    let text = '';
    proc.onOutput((chunk) => {
      text += chunk;
      // Log lines from src/server/rtmp_server.js and http_server.js, printed in the
      // listen callbacks, i.e. once the sockets are bound.
      if (text.includes(`Rtmp Server listening on port 127.0.0.1:${rtmpPort}`)) rtmpReady = true;
      if (text.includes(`HTTP server listening on port 127.0.0.1:${httpPort}`)) httpReady = true;
    });
    await waitUntil('node-media-server', () => rtmpReady && httpReady, proc, 15_000);
    return proc;
  };

  let rtmpPort = 0;
  let httpPort = 0;
  let proc: ManagedProcess | undefined;
  for (let attempt = 0; attempt < 4 && !proc; attempt++) {
    rtmpPort = await freePort();
    do httpPort = await freePort();
    while (httpPort === rtmpPort);
    try {
      proc = await spawnOn(rtmpPort, httpPort);
    } catch (error) {
      // A port taken meanwhile makes nms log "address in use" and exit: try other ports.
      if (attempt === 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  if (!proc) throw new LaunchError('LAUNCH_PORT_RACE', 'node-media-server: no free ports');

  let current: ManagedProcess = proc;
  let stopped = false;
  return {
    kind: 'nms',
    host: '127.0.0.1',
    port: rtmpPort,
    httpPort,
    url: (appName, stream) => `rtmp://127.0.0.1:${rtmpPort}/${appName}/${stream}`,
    httpFlvUrl: (appName, stream) => `http://127.0.0.1:${httpPort}/${appName}/${stream}.flv`,
    wsFlvUrl: (appName, stream) => `ws://127.0.0.1:${httpPort}/${appName}/${stream}.flv`,
    logs: () => earlierLogs + current.logs(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await current.stop('SIGTERM', 3000);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('node-media-server: restart() after stop()');
      await current.stop('SIGTERM', 3000);
      earlierLogs += current.logs();
      current = await spawnOn(rtmpPort, httpPort);
    },
  };
}
