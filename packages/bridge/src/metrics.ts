import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REFUSAL_STATUS, type RefusalReason } from './errors';

/**
 * The bridge's Prometheus metrics, on a registry of its own (two bridges in one process do not
 * collide, and nothing else in the process leaks into the endpoint).
 */
export class BridgeMetrics {
  readonly registry = new Registry();
  readonly sessionsActive: Gauge;
  readonly sessionsTotal: Counter;
  readonly bytes: Counter<'direction'>;
  readonly refusals: Counter<'reason'>;
  readonly closes: Counter<'reason'>;
  readonly upstreamConnectSeconds: Histogram;
  readonly sessionSeconds: Histogram;

  /**
   * `byteTotals` is read at each scrape: the byte counters are not incremented per forwarded
   * chunk (that was a label lookup and a validation per read on the hot path), they are set from
   * the bridge's running totals when Prometheus asks.
   */
  constructor(byteTotals: () => { toPage: number; toUpstream: number }) {
    const registers = [this.registry];
    this.sessionsActive = new Gauge({ name: 'rtmp_web_bridge_sessions_active', help: 'Sessions open now.', registers });
    this.sessionsTotal = new Counter({ name: 'rtmp_web_bridge_sessions_total', help: 'Sessions opened since start.', registers });
    this.bytes = new Counter({
      name: 'rtmp_web_bridge_bytes_total',
      help: 'Bytes forwarded, by direction (to_page: server to page; to_upstream: page to server).',
      labelNames: ['direction'],
      registers,
      collect() {
        const totals = byteTotals();
        this.reset();
        this.inc({ direction: 'to_page' }, totals.toPage);
        this.inc({ direction: 'to_upstream' }, totals.toUpstream);
      },
    });
    this.refusals = new Counter({
      name: 'rtmp_web_bridge_refusals_total',
      help: 'Upgrade requests refused before a WebSocket opened, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.closes = new Counter({
      name: 'rtmp_web_bridge_session_closes_total',
      help: 'Sessions ended, by close reason.',
      labelNames: ['reason'],
      registers,
    });
    this.upstreamConnectSeconds = new Histogram({
      name: 'rtmp_web_bridge_upstream_connect_seconds',
      help: 'Time to resolve and connect (TCP, and TLS for rtmps) to the RTMP server.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.sessionSeconds = new Histogram({
      name: 'rtmp_web_bridge_session_duration_seconds',
      help: 'Session lifetime from upgrade to close.',
      buckets: [1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
      registers,
    });
    // Every label exists from the start, so rate() works on a reason's first occurrence.
    for (const reason of Object.keys(REFUSAL_STATUS) as RefusalReason[]) this.refusals.inc({ reason }, 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
