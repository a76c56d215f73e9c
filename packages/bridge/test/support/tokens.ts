import { SignJWT } from 'jose';

/** Signs an HS256 bridge token the way an application backend would. */
export function signToken(
  secret: string,
  claims: { target?: string; tls?: boolean; sub?: string },
  options: { audience?: string; expiresInSec?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setAudience(options.audience ?? 'rtmp-web')
    .setExpirationTime(now + (options.expiresInSec ?? 300))
    .sign(new TextEncoder().encode(secret));
}
