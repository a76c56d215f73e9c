import { describe, expect, it } from 'vitest';
import { createBridge } from '../src/bridge';
import { BridgeError } from '../src/errors';
import { DEFAULT_LIMITS, resolveOptions } from '../src/options';
import { silentLogger } from './support/peers';

const codeOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BridgeError);
    return (error as BridgeError).code;
  }
  throw new Error('accepted');
};

describe('resolveOptions', () => {
  it('fails closed without an allowlist', async () => {
    expect(codeOf(() => resolveOptions({}))).toBe('BRIDGE_NO_ALLOWLIST');
    expect(codeOf(() => resolveOptions({ allow: [] }))).toBe('BRIDGE_NO_ALLOWLIST');
    await expect(createBridge({ port: 0, logger: silentLogger })).rejects.toMatchObject({ code: 'BRIDGE_NO_ALLOWLIST', category: 'bridge' });
  });

  it('applies the documented defaults: loopback bind, port 8080, path /, metrics at /metrics', () => {
    const resolved = resolveOptions({ allow: ['example.com:1935'] });
    expect(resolved.host).toBe('127.0.0.1');
    expect(resolved.port).toBe(8080);
    expect(resolved.path).toBe('/');
    expect(resolved.metrics).toEqual({ path: '/metrics', host: null, port: null });
    expect(resolved.limits).toEqual(DEFAULT_LIMITS);
    expect(resolved.upstreamTls.rejectUnauthorized).toBe(true);
    expect(resolved.origins).toBeNull();
    expect(resolveOptions({ allowAny: true }).allowlist.allowAny).toBe(true);
  });

  it('refuses bad entries, limits, token settings and paths', () => {
    expect(codeOf(() => resolveOptions({ allow: ['example.com'] }))).toBe('BRIDGE_INVALID_PATTERN');
    expect(codeOf(() => resolveOptions({ allowAny: true, limits: { maxConnections: 0 } }))).toBe('BRIDGE_INVALID_OPTIONS');
    expect(codeOf(() => resolveOptions({ allowAny: true, limits: { maxBufferedToPage: 1000 } }))).toBe('BRIDGE_INVALID_OPTIONS');
    expect(codeOf(() => resolveOptions({ allowAny: true, limits: { nonsense: 1 } as never }))).toBe('BRIDGE_INVALID_OPTIONS');
    expect(codeOf(() => resolveOptions({ allowAny: true, limits: { idleTimeoutMs: -1 } }))).toBe('BRIDGE_INVALID_OPTIONS');
    expect(codeOf(() => resolveOptions({ allowAny: true, token: { secret: 'short', audience: 'a' } }))).toBe('BRIDGE_INVALID_OPTIONS');
    expect(codeOf(() => resolveOptions({ allowAny: true, token: { audience: 'a' } }))).toBe('BRIDGE_INVALID_OPTIONS');
    expect(codeOf(() => resolveOptions({ allowAny: true, path: 'ws' }))).toBe('BRIDGE_INVALID_OPTIONS');
    expect(codeOf(() => resolveOptions({ allowAny: true, path: '/m', metrics: { path: '/m' } }))).toBe('BRIDGE_INVALID_OPTIONS');
  });
});
