import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesEqual } from '@rtmp-web/bytes';
import { ServerHandshake } from '../../src/handshake';
import type { ServerHandshakeStep } from '../../src/handshake';

// Real bytes from a real client: ffmpeg (libavformat rtmpproto.c) talks to a tiny loopback server
// whose handshake is ours. ffmpeg always sends a digest C1. When it plays, it also refuses an S1 it
// cannot verify ("Server response validating failed") and an S2 whose signature is wrong
// ("Signature mismatch"), so getting its C2 back proves our signing as well as our verification.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function listen(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer(onSocket);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
      resolve({ server, port: address.port });
    });
  });
}

function startFfmpeg(args: string[]): ChildProcess {
  const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  cleanups.push(
    () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGKILL');
      }),
  );
  return child;
}

interface Captured {
  c0c1: Uint8Array;
  s0s1s2: Uint8Array;
  c2: Uint8Array;
  step: Extract<ServerHandshakeStep, { status: 'done' }>;
}

/** Runs ffmpeg against a loopback server that speaks only our ServerHandshake; resolves after C2. */
function handshakeWithFfmpeg(ffmpegArgs: (url: string) => string[]): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const packets: Record<string, Uint8Array> = {};
    void listen((socket) => {
      cleanups.push(async () => void socket.destroy());
      const handshake = new ServerHandshake({ tap: { handshake: (event) => void (packets[event.label] = event.bytes) } });
      let finished = false;
      socket.on('data', (data) => {
        if (finished) return;
        handshake.push(new Uint8Array(data)).then((step) => {
          if (step.send) socket.write(step.send);
          if (step.status === 'done') {
            finished = true;
            resolve({ c0c1: packets.C0C1!, s0s1s2: packets.S0S1S2!, c2: packets.C2!, step });
          }
        }, reject);
      });
    }).then(({ port }) => {
      const ffmpeg = startFfmpeg(ffmpegArgs(`rtmp://127.0.0.1:${port}/app/x`));
      let stderr = '';
      ffmpeg.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      ffmpeg.once('exit', (code) => reject(new Error(`ffmpeg exited (${code}) before the handshake completed: ${stderr}`)));
    }, reject);
  });
}

describe('handshake with a real ffmpeg client', () => {
  it('a publishing ffmpeg sends a verifiable digest C1 (digest-first) and echoes S1 as C2', async () => {
    const { c0c1, s0s1s2, c2, step } = await handshakeWithFfmpeg((url) => [
      '-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5', '-t', '5', '-c:v', 'flv1', '-f', 'flv', url,
    ]);
    expect(c0c1[0]).toBe(3);
    expect([...c0c1.subarray(5, 9)]).toEqual([9, 0, 124, 2]); // ffmpeg claims Flash Player 9.0.124.2
    expect(step).toMatchObject({ clientKind: 'digest', clientDigestVerified: true, clientLayout: 'digest-first' });
    // libavformat only checks the server's digest when it plays; when it publishes it echoes S1.
    expect(step.clientResponseVerified).toBe(false);
    expect(bytesEqual(c2, s0s1s2.subarray(1, 1537))).toBe(true);
  });

  it('a playing ffmpeg verifies our signed S1 and S2 (it aborts otherwise) and signs its C2 over our digest', async () => {
    const { step, c2 } = await handshakeWithFfmpeg((url) => ['-i', url, '-t', '1', '-f', 'null', '-']);
    expect(step).toMatchObject({ clientKind: 'digest', clientDigestVerified: true, clientLayout: 'digest-first', clientResponseVerified: true });
    expect(c2.length).toBe(1536);
    // ffmpeg sends `connect` right after C2; its first chunk is fmt 0 on chunk stream 3.
    if (step.remainder.length > 0) expect(step.remainder[0]).toBe(0x03);
  });
});
