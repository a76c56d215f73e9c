const U32 = 2 ** 32;

/**
 * The receive side of RTMP flow control (RTMP 1.0 §5.4.3, §5.4.4): the peer's Window
 * Acknowledgement Size obliges us to report, each time that many bytes have arrived since the
 * last report, the total number of bytes received so far. The total counts every byte from
 * the first handshake byte and is sent as a u32 that wraps at 2^32; it is kept as a JS number
 * (exact up to 2^53) so the window arithmetic never sees the wrap.
 */
export class AcknowledgementWindow {
  private total: number;
  private totalAtLastAck: number;
  private window: number | null = null;

  /** `initialTotal` lets tests start near the u32 wrap; a connection starts at 0. */
  constructor(initialTotal = 0) {
    this.total = initialTotal;
    this.totalAtLastAck = initialTotal;
  }

  /** Bytes received so far (not wrapped). */
  get bytesReceived(): number {
    return this.total;
  }

  /** The peer's Window Acknowledgement Size, once it sent one. */
  get windowSize(): number | null {
    return this.window;
  }

  setWindowSize(size: number): void {
    this.window = size;
  }

  received(count: number): void {
    this.total += count;
  }

  /** The sequence number to acknowledge now (total mod 2^32), or null while the window is not reached. */
  takeDueAcknowledgement(): number | null {
    if (this.window === null || this.window <= 0) return null;
    if (this.total - this.totalAtLastAck < this.window) return null;
    this.totalAtLastAck = this.total;
    return this.total % U32;
  }
}
