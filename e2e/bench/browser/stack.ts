/**
 * The servers every browser benchmark plays from: nginx-rtmp and node-media-server, one
 * publish on each (same content, same GOP), and the bridge worker in front of them. One place
 * starts them in order and stops whatever did start, so a failed start leaves nothing behind.
 */
import { startNginxRtmp, startNodeMediaServer, waitForStream, type RtmpServerHandle } from '../../servers/index';
import type { NodeMediaServerHandle } from '../../servers/nms';
import { startWorker, type RunningServer } from '../lib/proc';

export interface BenchStack<P> {
  nginx: RtmpServerHandle;
  nms: NodeMediaServerHandle;
  /** The publish to nginx first, then the one to node-media-server. */
  publishers: P[];
  /** ws:// URL of the bridge, which allows the servers named by `bridgeTargets`. */
  bridgeUrl: string;
  stop(): Promise<void>;
}

export async function startBenchStack<P extends { stop(): Promise<unknown> }>(
  streamName: string,
  publish: (rtmpUrl: string) => Promise<P>,
  bridgeTargets: 'nginx' | 'both',
): Promise<BenchStack<P>> {
  let nginx: RtmpServerHandle | null = null;
  let nms: NodeMediaServerHandle | null = null;
  let bridge: RunningServer | null = null;
  const publishers: P[] = [];
  const stop = async (): Promise<void> => {
    for (const p of publishers) await p.stop();
    await bridge?.proc.stop('SIGTERM', 3000);
    await nginx?.stop();
    await nms?.stop();
  };
  try {
    nginx = await startNginxRtmp();
    nms = await startNodeMediaServer();
    publishers.push(await publish(nginx.url('live', streamName)));
    publishers.push(await publish(nms.url('live', streamName)));
    await waitForStream(nginx, 'live', streamName);
    await waitForStream(nms, 'live', streamName);
    const ports = bridgeTargets === 'both' ? [nginx.port, nms.port] : [nginx.port];
    bridge = await startWorker('bridge', ports.flatMap((port) => ['--target-port', String(port)]));
    return { nginx, nms, publishers, bridgeUrl: `ws://127.0.0.1:${bridge.port}/`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
