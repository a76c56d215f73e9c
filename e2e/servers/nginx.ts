/**
 * nginx + the RTMP module (Debian nginx-light + libnginx-mod-rtmp), one private instance
 * per call: its own prefix (-p), config, pid file and error log in a temp dir,
 * `daemon off;` so the process we spawn is the master.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { LaunchError, startProcess, waitUntil, type ManagedProcess } from './process';
import type { RtmpServerHandle } from './types';

export const NGINX_BINARY = '/usr/sbin/nginx';
export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export interface NginxRtmpHandle extends RtmpServerHandle {
  kind: 'nginx';
  liveApp: 'live';
  vodApp: 'vod';
  /** The folder `vod` plays from (the vodDir option, or an empty temp dir). */
  vodDir: string;
  restart(): Promise<void>;
}

function nginxConfig(dir: string, port: number, vodDir: string): string {
  // nginx only honours `user` when the master runs as root; then its workers would run as
  // `nobody` and could not read files under a private temp dir, so keep them as root.
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return [
    `load_module ${NGINX_RTMP_MODULE};`,
    isRoot ? 'user root;' : '',
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'rtmp {',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    chunk_size 4096;',
    '    application live { live on; record off; }',
    `    application vod { play ${vodDir}; }`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function startNginxRtmp(options: { vodDir?: string } = {}): Promise<NginxRtmpHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'rtmp-web-nginx-'));
  // The workers (another user, should `user` ever change) must be able to read the config
  // dir and the default vod dir inside it.
  chmodSync(dir, 0o755);
  const vodDir = options.vodDir ?? join(dir, 'vod');
  mkdirSync(vodDir, { recursive: true });
  return launchNginx(dir, vodDir);
}

async function launchNginx(dir: string, vodDir: string): Promise<NginxRtmpHandle> {
  const configPath = join(dir, 'nginx.conf');
  const pidPath = join(dir, 'nginx.pid');
  const errorLogPath = join(dir, 'error.log');
  let earlierLogs = '';

  const spawnOn = async (port: number): Promise<ManagedProcess> => {
    writeFileSync(configPath, nginxConfig(dir, port, vodDir));
    rmSync(pidPath, { force: true });
    const proc = startProcess(NGINX_BINARY, ['-p', dir, '-c', configPath], { label: 'nginx' });
    // nginx writes its pid file only after it has bound every listening socket.
    await waitUntil('nginx', () => existsSync(pidPath), proc, 10_000);
    return proc;
  };

  // A port from freePort() can be taken by someone else before nginx binds it: retry.
  let port = 0;
  let proc: ManagedProcess | undefined;
  for (let attempt = 0; attempt < 4 && !proc; attempt++) {
    port = await freePort();
    try {
      proc = await spawnOn(port);
    } catch (error) {
      if (attempt === 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  if (!proc) throw new LaunchError('LAUNCH_PORT_RACE', 'nginx: no free port');

  let current: ManagedProcess = proc;
  let stopped = false;
  const readErrorLog = (): string => {
    try {
      return readFileSync(errorLogPath, 'utf8').slice(-32 * 1024);
    } catch {
      return '';
    }
  };

  const handle: NginxRtmpHandle = {
    kind: 'nginx',
    host: '127.0.0.1',
    port,
    liveApp: 'live',
    vodApp: 'vod',
    vodDir,
    url: (app, stream) => `rtmp://127.0.0.1:${port}/${app}/${stream}`,
    logs: () => `${earlierLogs}${current.logs()}\n--- ${errorLogPath} ---\n${readErrorLog()}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      // SIGTERM = fast shutdown: the master stops its workers and exits.
      await current.stop('SIGTERM', 3000);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('nginx: restart() after stop()');
      await current.stop('SIGTERM', 3000);
      earlierLogs += current.logs();
      // The same port: the kernel lets a listener rebind at once (nginx sets SO_REUSEADDR).
      current = await spawnOn(port);
    },
  };
  return handle;
}
