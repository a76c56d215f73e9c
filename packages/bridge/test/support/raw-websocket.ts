/**
 * A hand-driven WebSocket client for the abuse tests: it writes the upgrade request and frames
 * byte by byte (RFC 6455 §4.1, §5.2), so a test can send what no well-behaved client library
 * would (compressed frames, slow headers) and read exactly what the bridge answers.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Uint8Array;
}

/**
 * Incremental reader of server-to-client frames (unmasked, RFC 6455 §5.2). Pure: bytes in,
 * whole frames out, however the input was split.
 */
export class ServerFrameReader {
  private buffer = new Uint8Array(0);

  push(bytes: Uint8Array): ServerFrame[] {
    const joined = new Uint8Array(this.buffer.byteLength + bytes.byteLength);
    joined.set(this.buffer);
    joined.set(bytes, this.buffer.byteLength);
    this.buffer = joined;
    const frames: ServerFrame[] = [];
    for (;;) {
      const b = this.buffer;
      if (b.byteLength < 2) break;
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.byteLength < 4) break;
        length = (b[2]! << 8) | b[3]!;
        offset = 4;
      } else if (length === 127) {
        if (b.byteLength < 10) break;
        length = Number(new DataView(b.buffer, b.byteOffset + 2, 8).getBigUint64(0));
        offset = 10;
      }
      if ((b[1]! & 0x80) !== 0) throw new Error('a server frame must not be masked (RFC 6455 §5.1)');
      if (b.byteLength < offset + length) break;
      frames.push({ fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload: b.slice(offset, offset + length) });
      this.buffer = b.slice(offset + length);
    }
    return frames;
  }
}

/** The close code inside a close frame's payload (1005 when it carries none, §7.1.5). */
export function closeCodeOf(frame: ServerFrame): number {
  return frame.payload.byteLength >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : 1005;
}

/** One masked client frame. `rsv1` marks a permessage-deflate frame (RFC 7692 §6). */
export function encodeClientFrame(options: { opcode: number; payload: Uint8Array; fin?: boolean; rsv1?: boolean }): Buffer {
  const { payload } = options;
  const header: number[] = [((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | options.opcode];
  if (payload.byteLength < 126) header.push(0x80 | payload.byteLength);
  else if (payload.byteLength < 65536) header.push(0x80 | 126, payload.byteLength >> 8, payload.byteLength & 0xff);
  else {
    header.push(0x80 | 127);
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(payload.byteLength));
    header.push(...length);
  }
  const mask = randomBytes(4);
  const masked = Buffer.alloc(payload.byteLength);
  for (let i = 0; i < payload.byteLength; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([Buffer.from(header), mask, masked]);
}

export interface RawConnection {
  socket: net.Socket;
  /** Status line and headers of the bridge's answer. */
  status: number;
  headers: string;
  /** Frames received after the 101, in order. */
  frames: ServerFrame[];
  /** Resolves when the socket closes. */
  closed: Promise<void>;
  /** Resolves with the first close frame the bridge sends. */
  closeFrame(): Promise<ServerFrame>;
}

/** Opens a TCP connection and writes `request` (or the standard upgrade request for `pathAndQuery`). */
export function rawConnect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host }, () => resolve(socket));
    socket.once('error', reject);
  });
}

export function upgradeRequest(pathAndQuery: string, extraHeaders: Record<string, string> = {}): string {
  const headers: Record<string, string> = {
    Host: 'bridge.test',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...extraHeaders,
  };
  return `GET ${pathAndQuery} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

/** Sends an upgrade request and collects the answer and every frame after it. */
export async function rawUpgrade(port: number, pathAndQuery: string, extraHeaders: Record<string, string> = {}): Promise<RawConnection> {
  const socket = await rawConnect(port);
  socket.on('error', () => {});
  const reader = new ServerFrameReader();
  const frames: ServerFrame[] = [];
  const closeWaiters: Array<(frame: ServerFrame) => void> = [];
  let head = Buffer.alloc(0);
  let headDone = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const answer = new Promise<{ status: number; headers: string }>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      let rest = chunk;
      if (!headDone) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        headDone = true;
        const headers = head.subarray(0, end).toString('latin1');
        rest = head.subarray(end + 4);
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers });
      }
      for (const frame of reader.push(rest)) {
        frames.push(frame);
        if (frame.opcode === 0x8) for (const waiter of closeWaiters.splice(0)) waiter(frame);
      }
    });
    socket.once('close', () => reject(new Error('closed before an answer')));
  });
  socket.write(upgradeRequest(pathAndQuery, extraHeaders));
  const { status, headers } = await answer;
  return {
    socket,
    status,
    headers,
    frames,
    closed,
    closeFrame: () =>
      new Promise((resolve, reject) => {
        const seen = frames.find((frame) => frame.opcode === 0x8);
        if (seen) resolve(seen);
        else {
          closeWaiters.push(resolve);
          void closed.then(() => reject(new Error('closed without a close frame')));
        }
      }),
  };
}
