import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodedError } from '@rtmp-web/bytes';
import { TcpTransport } from '../../src/node/tcp-transport';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A loopback server; `onSocket` scripts what it does with each connection. */
async function listen(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer(onSocket);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('TcpTransport', () => {
  it('sends and receives bytes as plain Uint8Arrays, and reports a clean close without an error', async () => {
    const port = await listen((socket) => socket.on('data', (data) => socket.end(Buffer.concat([Buffer.from([0xff]), data]))));
    const transport = await TcpTransport.connect('127.0.0.1', port);
    const received: number[] = [];
    const closed = new Promise<CodedError | undefined>((resolve) => {
      transport.onClose = resolve;
    });
    transport.onData = (bytes) => {
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
      received.push(...bytes);
    };
    transport.send(new Uint8Array([1, 2, 3]));
    expect(await closed).toBeUndefined();
    expect(received).toEqual([0xff, 1, 2, 3]);
    expect(transport.isClosed).toBe(true);
  });

  it('close() flushes what was sent, then closes once', async () => {
    let serverGot = 0;
    let serverSawEnd: () => void = () => undefined;
    const serverDone = new Promise<void>((resolve) => (serverSawEnd = resolve));
    const port = await listen((socket) => {
      socket.on('data', (data) => (serverGot += data.byteLength));
      socket.on('end', () => {
        socket.end();
        serverSawEnd();
      });
    });
    const transport = await TcpTransport.connect('127.0.0.1', port);
    let closes = 0;
    const closed = new Promise<void>((resolve) => {
      transport.onClose = () => {
        closes++;
        resolve();
      };
    });
    transport.send(new Uint8Array(100_000).fill(7));
    transport.close();
    transport.close();
    await serverDone;
    await closed;
    expect(serverGot).toBe(100_000);
    expect(closes).toBe(1);
    transport.send(new Uint8Array([1])); // after close: ignored, no throw
  });

  it('a connection reset by the peer closes with TRANSPORT_ERROR', async () => {
    const port = await listen((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const transport = await TcpTransport.connect('127.0.0.1', port);
    transport.send(new Uint8Array([1]));
    const error = await new Promise<CodedError | undefined>((resolve) => {
      transport.onClose = resolve;
    });
    expect(error?.code).toBe('TRANSPORT_ERROR');
    expect(error?.category).toBe('transport');
    expect(error?.details.errno).toBe('ECONNRESET');
  });

  it('nothing listening: TRANSPORT_CONNECT_FAILED with ECONNREFUSED', async () => {
    const port = await listen(() => undefined);
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    let caught: CodedError | undefined;
    try {
      await TcpTransport.connect('127.0.0.1', port, { timeoutMs: 2000 });
    } catch (error) {
      caught = error as CodedError;
    }
    expect(caught?.code).toBe('TRANSPORT_CONNECT_FAILED');
    expect(caught?.details).toMatchObject({ host: '127.0.0.1', port, errno: 'ECONNREFUSED' });
    expect(caught?.message).toBe(`cannot connect to 127.0.0.1:${port}: ECONNREFUSED`);
  });
});
