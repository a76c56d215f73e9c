/**
 * Delays between reconnect attempts: exponential (initial * factor^n) up to a cap, with random
 * jitter so a server restart does not get every viewer back in the same millisecond (the
 * "thundering herd" the AWS architecture blog's "Exponential Backoff And Jitter" describes).
 * Pure: randomness is injectable for tests.
 */
export interface ReconnectBackoffOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Fraction of the delay randomised: delay * (1 - jitter .. 1 + jitter). */
  jitter?: number;
  /** Give up after this many attempts in a row (Infinity: never). */
  maxAttempts?: number;
  random?: () => number;
}

export class ReconnectBackoff {
  private readonly options: Required<ReconnectBackoffOptions>;
  private attemptCount = 0;

  constructor(options: ReconnectBackoffOptions = {}) {
    this.options = {
      initialDelayMs: 500,
      maxDelayMs: 10_000,
      factor: 2,
      jitter: 0.2,
      maxAttempts: Infinity,
      random: Math.random,
      ...options,
    };
  }

  /** Attempts made since the last success. */
  get attempts(): number {
    return this.attemptCount;
  }

  get exhausted(): boolean {
    return this.attemptCount >= this.options.maxAttempts;
  }

  /** The delay before the next attempt (and counts it), or null when attempts are exhausted. */
  next(): number | null {
    if (this.exhausted) return null;
    const o = this.options;
    const base = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** this.attemptCount);
    this.attemptCount++;
    const spread = base * o.jitter * (2 * o.random() - 1);
    return Math.round(Math.min(o.maxDelayMs, Math.max(0, base + spread)));
  }

  /** A connection succeeded (media flowed): start again from the initial delay. */
  reset(): void {
    this.attemptCount = 0;
  }
}
