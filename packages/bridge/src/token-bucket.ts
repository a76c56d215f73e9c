/**
 * Byte-rate limiter: a token bucket refilled at `ratePerSecond`, holding at most `burst` bytes.
 * Pure (the caller passes the clock). `take` never refuses: it lets the balance go negative and
 * says how long the caller must stop reading for the balance to reach zero again, which is how
 * the session throttles a direction without dropping or buffering bytes.
 */
export class TokenBucket {
  private balance: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    now: number,
  ) {
    if (!(ratePerSecond > 0) || !(burst > 0)) throw new RangeError('rate and burst must be positive');
    this.balance = burst;
    this.updatedAt = now;
  }

  /** Spends `bytes`; returns the milliseconds to pause before reading more (0 = keep going). */
  take(bytes: number, now: number): number {
    this.refill(now);
    this.balance -= bytes;
    return this.balance >= 0 ? 0 : Math.ceil((-this.balance * 1000) / this.ratePerSecond);
  }

  /** Current balance in bytes (negative while in debt). */
  available(now: number): number {
    this.refill(now);
    return this.balance;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.balance = Math.min(this.burst, this.balance + (elapsed * this.ratePerSecond) / 1000);
  }
}
