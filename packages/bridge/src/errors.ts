import { CodedError } from '@rtmp-web/bytes';

/**
 * Why the bridge refused a page before the WebSocket opened. Each reason has one HTTP status
 * (see REFUSAL_STATUS) and appears as the `reason` label of the refusals metric.
 */
export type RefusalReason =
  | 'not-found'
  | 'bad-request'
  | 'early-data-too-large'
  | 'origin'
  | 'token-missing'
  | 'token-invalid'
  | 'token-expired'
  | 'token-target'
  | 'target-missing'
  | 'target-invalid'
  | 'target-not-allowed'
  | 'target-private-address'
  | 'dns-failed'
  | 'upstream-refused'
  | 'upstream-tls'
  | 'upstream-timeout'
  | 'too-many-connections'
  | 'too-many-connections-per-ip'
  | 'shutting-down'
  | 'handshake-timeout';

/** HTTP status sent for each refusal (written on the upgrade request, before any WebSocket exists). */
export const REFUSAL_STATUS: Readonly<Record<RefusalReason, number>> = {
  'not-found': 404,
  'bad-request': 400,
  'early-data-too-large': 413,
  origin: 403,
  'token-missing': 401,
  'token-invalid': 401,
  'token-expired': 401,
  'token-target': 403,
  'target-missing': 400,
  'target-invalid': 400,
  'target-not-allowed': 403,
  'target-private-address': 403,
  'dns-failed': 502,
  'upstream-refused': 502,
  'upstream-tls': 502,
  'upstream-timeout': 504,
  'too-many-connections': 503,
  'too-many-connections-per-ip': 429,
  'shutting-down': 503,
  'handshake-timeout': 408,
};

export type BridgeErrorCode =
  | 'BRIDGE_NO_ALLOWLIST'
  | 'BRIDGE_INVALID_OPTIONS'
  | 'BRIDGE_INVALID_TARGET'
  | 'BRIDGE_INVALID_PATTERN'
  | 'BRIDGE_REFUSED'
  | 'BRIDGE_LISTEN_FAILED';

/**
 * Every error the bridge raises. Configuration mistakes (`BRIDGE_NO_ALLOWLIST`,
 * `BRIDGE_INVALID_OPTIONS`, `BRIDGE_INVALID_PATTERN`) are thrown by `createBridge`; refusals of a
 * page carry `code: 'BRIDGE_REFUSED'` with the reason and HTTP status in `details`.
 */
export class BridgeError extends CodedError {
  declare readonly code: BridgeErrorCode;

  constructor(code: BridgeErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('bridge', code, message, { fatal: true, details, cause });
    this.name = 'BridgeError';
  }
}

/** A refusal of one upgrade request: the reason decides the HTTP status. */
export class RefusalError extends BridgeError {
  readonly reason: RefusalReason;
  readonly status: number;

  constructor(reason: RefusalReason, message: string, cause?: unknown) {
    const status = REFUSAL_STATUS[reason];
    super('BRIDGE_REFUSED', message, { reason, status }, cause);
    this.name = 'RefusalError';
    this.reason = reason;
    this.status = status;
  }
}
