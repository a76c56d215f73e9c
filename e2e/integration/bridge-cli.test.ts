/**
 * `rtmp-web bridge` as a user runs it: it fails closed without an allowlist, warns on
 * --allow-any, reads a JSON config file (with the token secret in a file of its own), and
 * reports usage errors with exit code 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBridge } from '@rtmp-web/bridge';
import { logRecords, spawnBridgeCommand, startBridgeCommand } from '../../packages/bridge/test/support/command';
import { closeOf, expectRefusal, openPage, readBytes, silentLogger, startEchoServer } from '../../packages/bridge/test/support/peers';
import { signToken } from '../../packages/bridge/test/support/tokens';

const dir = mkdtempSync(join(tmpdir(), 'rtmp-web-bridge-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rtmp-web bridge (command)', () => {
  it('refuses to start without an allowlist (exit 2), and says why', async () => {
    const command = spawnBridgeCommand(['--port', '0']);
    expect(await command.exit).toBe(2);
    expect(command.stderr()).toContain('refusing to start without an upstream allowlist');
  });

  it('reports usage errors with exit 2 and prints help with exit 0', async () => {
    const unknown = spawnBridgeCommand(['--port', '0', '--allow-any', '--no-such-flag']);
    expect(await unknown.exit).toBe(2);
    expect(unknown.stderr()).toContain('usage: rtmp-web bridge');
    const badLimit = spawnBridgeCommand(['--port', '0', '--allow-any', '--limit', 'maxWidgets=3']);
    expect(await badLimit.exit).toBe(2);
    expect(badLimit.stderr()).toContain('unknown limit maxWidgets');
    const badPattern = spawnBridgeCommand(['--port', '0', '--allow', 'example.com']);
    expect(await badPattern.exit).toBe(2);
    expect(badPattern.stderr()).toContain('a port (or *) is required');
    const help = spawnBridgeCommand(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toContain('--allow PATTERN');
  });

  it('exits 1 when its port is taken', async () => {
    const holder = await createBridge({ port: 0, allow: ['example.com:1935'], logger: silentLogger });
    try {
      const command = spawnBridgeCommand(['--port', String(holder.port), '--allow', 'example.com:1935']);
      expect(await command.exit).toBe(1);
      expect(command.stderr()).toContain('EADDRINUSE');
    } finally {
      await holder.close(1000);
    }
  });

  it('starts with --allow-any after printing a warning, and still refuses private targets', async () => {
    const command = await startBridgeCommand(['--port', '0', '--allow-any']);
    try {
      expect(command.stderr()).toContain('WARNING: --allow-any');
      expect(await expectRefusal(`${command.url}?target=127.0.0.1:1935`)).toMatchObject({ status: 403, reason: 'target-private-address' });
    } finally {
      command.child.kill('SIGTERM');
      expect(await command.exit).toBe(0);
    }
  });

  it('runs from a JSON config file: allowlist, origins, tokens (secret in its own file), limits, metrics port', async () => {
    const echo = await startEchoServer();
    const secret = 'config-file-secret-that-is-long-enough';
    writeFileSync(join(dir, 'secret.txt'), `${secret}\n`);
    writeFileSync(
      join(dir, 'bridge.json'),
      JSON.stringify({
        port: 0,
        path: '/rtmp',
        allow: [`127.0.0.1:${echo.port}`],
        origins: ['https://player.example'],
        token: { secretFile: 'secret.txt', audience: 'config-test' },
        limits: { maxMessageBytes: 4096 },
        metrics: { port: 0 },
      }),
    );
    const command = await startBridgeCommand(['--config', join(dir, 'bridge.json'), '--log-level', 'debug']);
    try {
      expect(command.url).toMatch(/\/rtmp$/);
      const target = `127.0.0.1:${echo.port}`;
      const page = { headers: { Origin: 'https://player.example' } };
      expect(await expectRefusal(`${command.url}?target=${target}`, page)).toMatchObject({ status: 401, reason: 'token-missing' });
      const token = await signToken(secret, { target }, { audience: 'config-test' });
      expect(await expectRefusal(`${command.url}?target=${target}&token=${token}`)).toMatchObject({ status: 403, reason: 'origin' });
      const ws = await openPage(`${command.url}?target=${target}`, { ...page, protocols: ['rtmp-web', `rtmp-web.token.${token}`] });
      const echoed = readBytes(ws, 3);
      ws.send(Buffer.from('abc'));
      expect((await echoed).toString()).toBe('abc');
      const closed = closeOf(ws);
      ws.send(Buffer.alloc(4097)); // over the configured maxMessageBytes
      expect((await closed).code).toBe(1009);
      const listening = logRecords(command.stdout()).find((record) => record['event'] === 'listening');
      expect(listening).toMatchObject({ tokens: true, allow: [target], origins: ['https://player.example'] });
      expect(String(listening?.['metrics'])).not.toContain(new URL(command.url).port);
      expect(command.stdout()).not.toContain(token.split('.')[2]!);
    } finally {
      command.child.kill('SIGTERM');
      expect(await command.exit).toBe(0);
      await echo.close();
    }
  });
});
