import { createHmac } from 'node:crypto';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { RefusalError } from '../src/errors';
import { TokenVerifier, extractToken } from '../src/token';

const SECRET = 'a-test-secret-that-is-32-bytes-long!';
const secretKey = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

function hsToken(claims: Record<string, unknown>, options: { alg?: string; exp?: number | null; aud?: string | null; iss?: string; key?: Uint8Array } = {}) {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt();
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now() + 300);
  if (options.aud !== null) jwt = jwt.setAudience(options.aud ?? 'rtmp-web');
  if (options.iss) jwt = jwt.setIssuer(options.iss);
  return jwt.sign(options.key ?? secretKey);
}

async function refusalOf(promise: Promise<unknown>): Promise<[string, number]> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RefusalError);
    return [(error as RefusalError).reason, (error as RefusalError).status];
  }
  throw new Error('the token was accepted');
}

describe('TokenVerifier with a shared secret', () => {
  const verifier = new TokenVerifier({ secret: SECRET, audience: 'rtmp-web', issuer: 'issuer.example', clockToleranceSec: 0 });

  it('accepts a signed, unexpired token for its audience and issuer, and returns its target', async () => {
    const token = await hsToken({ target: 'rtmp://Live.Example.com/app', sub: 'viewer-7' }, { iss: 'issuer.example' });
    const verified = await verifier.verify(token);
    expect(verified.target).toMatchObject({ host: 'live.example.com', port: 1935, tls: false });
    expect(verified.subject).toBe('viewer-7');
    const withTls = await verifier.verify(await hsToken({ target: 'live.example.com:8443', tls: true }, { iss: 'issuer.example', alg: 'HS512' }));
    expect(withTls.target).toMatchObject({ port: 8443, tls: true });
  });

  it('refuses expired (401 token-expired), forged, wrong-audience, wrong-issuer, exp-less and target-less tokens (401)', async () => {
    const good = { target: 'live.example.com:1935' };
    expect(await refusalOf(verifier.verify(await hsToken(good, { iss: 'issuer.example', exp: now() - 10 })))).toEqual(['token-expired', 401]);
    expect(await refusalOf(verifier.verify(await hsToken(good, { iss: 'issuer.example', key: new TextEncoder().encode('another-secret-that-is-32-bytes-long') })))).toEqual(['token-invalid', 401]);
    expect(await refusalOf(verifier.verify(await hsToken(good, { iss: 'issuer.example', aud: 'someone-else' })))).toEqual(['token-invalid', 401]);
    expect(await refusalOf(verifier.verify(await hsToken(good, { iss: 'other.example' })))).toEqual(['token-invalid', 401]);
    expect(await refusalOf(verifier.verify(await hsToken(good, { iss: 'issuer.example', exp: null })))).toEqual(['token-invalid', 401]);
    expect(await refusalOf(verifier.verify(await hsToken({}, { iss: 'issuer.example' })))).toEqual(['token-invalid', 401]);
    expect(await refusalOf(verifier.verify(await hsToken({ target: '127.1:1935' }, { iss: 'issuer.example' })))).toEqual(['token-invalid', 401]);
    expect(await refusalOf(verifier.verify(await hsToken({ target: 'h:1', tls: 'yes' }, { iss: 'issuer.example' })))).toEqual(['token-invalid', 401]);
    expect(await refusalOf(verifier.verify('not.a.jwt'))).toEqual(['token-invalid', 401]);
  });

  it('refuses an unsigned (alg none) token', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ target: 'live.example.com:1935', aud: 'rtmp-web', iss: 'issuer.example', exp: now() + 60 })}.`;
    expect(await refusalOf(verifier.verify(unsigned))).toEqual(['token-invalid', 401]);
  });

  it('never puts the token into its error messages', async () => {
    const token = await hsToken({ target: 'x.example:1' }, { iss: 'issuer.example', exp: now() - 100 });
    try {
      await verifier.verify(token);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(token.split('.')[1]!);
    }
  });
});

describe('TokenVerifier with a public key', () => {
  it.each([['RS256'], ['ES256'], ['EdDSA']])('verifies %s tokens against the PEM key', async (alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const verifier = new TokenVerifier({ publicKey: await exportSPKI(publicKey), audience: 'rtmp-web' });
    const token = await new SignJWT({ target: 'live.example.com:1935' }).setProtectedHeader({ alg }).setAudience('rtmp-web').setExpirationTime('5m').sign(privateKey);
    expect((await verifier.verify(token)).target.host).toBe('live.example.com');
  });

  it('refuses the alg-confusion forgery: HS256 "signed" with the public key text', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const verifier = new TokenVerifier({ publicKey: pem, audience: 'rtmp-web' });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${b64({ alg: 'HS256' })}.${b64({ target: 'live.example.com:1935', aud: 'rtmp-web', exp: now() + 60 })}`;
    const forged = `${signingInput}.${createHmac('sha256', pem).update(signingInput).digest('base64url')}`;
    expect(await refusalOf(verifier.verify(forged))).toEqual(['token-invalid', 401]);
  });
});

describe('extractToken', () => {
  it('takes the subprotocol first, then ?token=, then a Bearer header', () => {
    const q = (text: string) => new URLSearchParams(text);
    expect(extractToken({ 'sec-websocket-protocol': 'rtmp-web, rtmp-web.token.aaa.bbb.ccc' }, q('token=zzz'))).toBe('aaa.bbb.ccc');
    expect(extractToken({}, q('target=x&token=zzz'))).toBe('zzz');
    expect(extractToken({ authorization: 'Bearer yyy' }, q(''))).toBe('yyy');
    expect(extractToken({ 'sec-websocket-protocol': 'rtmp-web' }, q(''))).toBeNull();
    expect(extractToken({ 'sec-websocket-protocol': 'rtmp-web.token.' }, q(''))).toBeNull();
  });
});
