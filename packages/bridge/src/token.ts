import { createPublicKey } from 'node:crypto';
import { errors as joseErrors, importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { BridgeError, RefusalError } from './errors';
import type { BridgeTokenOptions } from './options';
import { parseTarget, type UpstreamTarget } from './target';

/** The WebSocket subprotocol prefix that carries a token (`rtmp-web.token.<jwt>`). */
export const TOKEN_SUBPROTOCOL_PREFIX = 'rtmp-web.token.';
/** The plain subprotocol a page may offer beside the token one, so the bridge need not echo the token. */
export const BRIDGE_SUBPROTOCOL = 'rtmp-web';

export interface VerifiedToken {
  /** The upstream the token allows. */
  target: UpstreamTarget;
  /** Subject, when present: logged (never the token itself). */
  subject: string | undefined;
  expiresAt: number;
}

/**
 * Verifies the bridge's signed tokens (JWT, RFC 7519) with jose. Required: a valid signature by
 * the configured key, `exp` (tokens that never expire are refused), `aud`, `iss` when configured,
 * and a `target` claim in the same syntax as the `?target=` parameter (`host:port`, `[v6]:port`,
 * `rtmp://host:port/...`, `rtmps://...`), plus an optional boolean `tls` claim.
 */
export class TokenVerifier {
  private readonly algorithms: string[];
  private readonly keyFor: (alg: string) => Promise<CryptoKey | Uint8Array>;

  constructor(private readonly options: BridgeTokenOptions) {
    if (options.secret !== undefined) {
      const secret = new TextEncoder().encode(options.secret);
      this.algorithms = ['HS256', 'HS384', 'HS512'];
      this.keyFor = async () => secret;
    } else if (options.publicKey !== undefined) {
      const pem = options.publicKey;
      let keyType: string | undefined;
      let curve: string | undefined;
      try {
        const key = createPublicKey(pem);
        keyType = key.asymmetricKeyType;
        curve = key.asymmetricKeyDetails?.namedCurve;
      } catch (error) {
        throw new BridgeError('BRIDGE_INVALID_OPTIONS', 'token.publicKey is not a PEM public key', {}, error);
      }
      this.algorithms = algorithmsFor(keyType, curve);
      // Only algorithms that fit the key type are listed, so an HS256 token "signed" with the
      // public key as an HMAC secret (the classic alg-confusion forgery) is refused by jose.
      const imported = new Map<string, Promise<CryptoKey>>();
      this.keyFor = (alg) => {
        let key = imported.get(alg);
        if (!key) {
          key = importSPKI(pem, alg);
          imported.set(alg, key);
        }
        return key;
      };
    } else {
      throw new BridgeError('BRIDGE_INVALID_OPTIONS', 'token needs a secret or a publicKey');
    }
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      const result = await jwtVerify(token, (header) => this.keyFor(header.alg ?? ''), {
        algorithms: this.algorithms,
        audience: this.options.audience,
        ...(this.options.issuer !== undefined ? { issuer: this.options.issuer } : {}),
        requiredClaims: ['exp'],
        clockTolerance: this.options.clockToleranceSec ?? 30,
      });
      payload = result.payload;
    } catch (error) {
      // The messages name the failed check, never the token.
      if (error instanceof joseErrors.JWTExpired) throw new RefusalError('token-expired', 'token expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        throw new RefusalError('token-invalid', `token claim check failed: ${error.claim}`);
      }
      throw new RefusalError('token-invalid', 'token signature or format invalid');
    }
    const claim = payload['target'];
    if (typeof claim !== 'string') throw new RefusalError('token-invalid', 'token has no target claim');
    const tlsClaim = payload['tls'];
    if (tlsClaim !== undefined && typeof tlsClaim !== 'boolean') throw new RefusalError('token-invalid', 'token tls claim must be a boolean');
    let target: UpstreamTarget;
    try {
      target = parseTarget(claim, tlsClaim);
    } catch {
      throw new RefusalError('token-invalid', 'token target claim is not a valid target');
    }
    return { target, subject: payload.sub, expiresAt: (payload.exp ?? 0) * 1000 };
  }
}

function algorithmsFor(keyType: string | undefined, curve: string | undefined): string[] {
  switch (keyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec':
      if (curve === 'prime256v1' || curve === 'P-256') return ['ES256'];
      if (curve === 'secp384r1' || curve === 'P-384') return ['ES384'];
      if (curve === 'secp521r1' || curve === 'P-521') return ['ES512'];
      break;
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
  }
  throw new BridgeError('BRIDGE_INVALID_OPTIONS', `token.publicKey type ${keyType ?? 'unknown'}${curve ? ` (${curve})` : ''} is not supported`);
}

/**
 * Where a page may put its token: `Sec-WebSocket-Protocol: rtmp-web, rtmp-web.token.<jwt>` (kept
 * out of URLs and so out of access logs), `?token=<jwt>`, or `Authorization: Bearer <jwt>` for
 * non-browser clients. The first found in that order wins.
 */
export function extractToken(headers: Record<string, string | string[] | undefined>, query: URLSearchParams): string | null {
  const protocols = headerValue(headers['sec-websocket-protocol']);
  if (protocols) {
    for (const protocol of protocols.split(',')) {
      const trimmed = protocol.trim();
      if (trimmed.startsWith(TOKEN_SUBPROTOCOL_PREFIX) && trimmed.length > TOKEN_SUBPROTOCOL_PREFIX.length) {
        return trimmed.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
      }
    }
  }
  const fromQuery = query.get('token');
  if (fromQuery) return fromQuery;
  const authorization = headerValue(headers['authorization']);
  const bearer = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  return bearer ? bearer[1]! : null;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
