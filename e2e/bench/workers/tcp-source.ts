/**
 * A TCP server that stands in for the RTMP server's output (bytes are bytes to a relay).
 *   --mode bulk --bytes N    every connection gets N bytes as fast as it reads them; the client
 *                            closes (a FIN from here could race the relay's last bytes: websockify
 *                            drops what it has not sent yet when its target closes).
 *   --mode paced --rate B    every connection gets B bytes/s, written every 40 ms, forever;
 *                            a connection with more than 4 MB unsent stops being fed (it has
 *                            fallen behind; its viewer will see the shortfall).
 * Prints "LISTENING <port>" once bound to 127.0.0.1; exits on SIGTERM.
 */
import { createServer, type Socket } from 'node:net';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const mode = args.get('mode') ?? 'bulk';
const WRITE_SIZE = 64 * 1024;
const block = Buffer.alloc(4 * 1024 * 1024);
for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;

function sendBulk(socket: Socket, total: number): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(WRITE_SIZE, total - sent);
      const offset = sent % (block.length - WRITE_SIZE);
      sent += n;
      if (!socket.write(block.subarray(offset, offset + n))) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

interface PacedViewer {
  socket: Socket;
  since: number;
  sent: number;
}

const paced = new Set<PacedViewer>();
const TICK_MS = 40;
const MAX_UNSENT = 4 * 1024 * 1024;

if (mode === 'paced') {
  const rate = Number(args.get('rate'));
  setInterval(() => {
    const now = performance.now();
    for (const viewer of paced) {
      const due = Math.floor(((now - viewer.since) / 1000) * rate) - viewer.sent;
      if (due <= 0 || viewer.socket.writableLength > MAX_UNSENT) continue;
      let left = due;
      while (left > 0) {
        const n = Math.min(left, WRITE_SIZE);
        const offset = viewer.sent % (block.length - WRITE_SIZE);
        viewer.socket.write(block.subarray(offset, offset + n));
        viewer.sent += n;
        left -= n;
      }
    }
  }, TICK_MS);
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  if (mode === 'bulk') {
    sendBulk(socket, Number(args.get('bytes')));
  } else {
    const viewer: PacedViewer = { socket, since: performance.now(), sent: 0 };
    paced.add(viewer);
    socket.on('close', () => paced.delete(viewer));
  }
  // Whatever the client sends (the bridge forwards nothing here) is read and dropped.
  socket.on('data', () => undefined);
});
server.maxConnections = 20_000;
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  const address = server.address();
  console.log(`LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => process.exit(0));
