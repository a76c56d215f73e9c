/**
 * Issue 6, item 5: glass-to-glass latency. The pixel-clock publisher (wall-clock time drawn
 * into every frame) publishes to nginx-rtmp and node-media-server; each player plays for the
 * run length in turn, and every presented frame yields presentation time minus drawn time.
 * Our player goes through the bridge; mpegts.js reads node-media-server's WS-FLV with
 * liveBufferLatencyChasing and liveSync on.
 */
import type { Browser } from 'playwright-core';
import { sleep } from '../../servers/process';
import { formatNumber, percentile } from '../lib/measure';
import type { BenchContext, BenchOutcome, Benchmark, TargetCheck } from '../lib/result';
import { closeBenchPage, launchChromium, openBenchPage, readReport, startBenchSite, type PageName, type PageReport } from './harness';
import { startBenchStack, type BenchStack } from './stack';
import { startPixelClockPublisher, type PixelClockPublisher } from './pixel-clock-publisher';

/** Samples in the first seconds after the first frame are start-up, not steady state. */
const WARMUP_SEC = 3;

interface Contender {
  name: string;
  page: PageName;
  options: Record<string, unknown>;
}

interface LatencyRun {
  name: string;
  seconds: number;
  report: PageReport | null;
  steady: number[];
  error?: string;
}

async function playFor(browser: Browser, site: Awaited<ReturnType<typeof startBenchSite>>, contender: Contender, seconds: number): Promise<LatencyRun> {
  const page = await openBenchPage(browser, site, contender.page, { ...contender.options, readClock: true });
  try {
    const deadline = Date.now() + 15_000;
    let report = await readReport(page);
    while (report.firstFrameMs === null && Date.now() < deadline) {
      await sleep(100);
      report = await readReport(page);
    }
    if (report.firstFrameMs === null) return { name: contender.name, seconds, report, steady: [], error: `no frame: ${report.errors.join('; ') || 'timeout'}` };
    await sleep(WARMUP_SEC * 1000);
    const skip = (await readReport(page)).latencies.length;
    await sleep(seconds * 1000);
    report = await readReport(page);
    return { name: contender.name, seconds, report, steady: report.latencies.slice(skip) };
  } finally {
    await closeBenchPage(page);
  }
}

async function run(context: BenchContext): Promise<BenchOutcome> {
  const seconds = context.quick ? 15 : 60;
  const site = await startBenchSite();
  let stack: BenchStack<PixelClockPublisher> | null = null;
  let browser: Browser | null = null;
  const notes: string[] = [];
  try {
    stack = await startBenchStack('clock', startPixelClockPublisher, 'both');
    const { nginx, nms, publishers, bridgeUrl } = stack;
    const contenders: Contender[] = [];
    if (site.pages.ours.ok) {
      contenders.push(
        { name: 'rtmp-web player via bridge, nginx-rtmp', page: 'ours', options: { rtmpUrl: nginx.url('live', 'clock'), bridge: bridgeUrl } },
        { name: 'rtmp-web player via bridge, node-media-server', page: 'ours', options: { rtmpUrl: nms.url('live', 'clock'), bridge: bridgeUrl } },
      );
    } else {
      notes.push(`Our player was not measured: its bench page does not build in this checkout (${site.pages.ours.error ?? 'unknown error'}).`);
    }
    contenders.push({ name: 'mpegts.js (liveSync), node-media-server WS-FLV', page: 'mpegts', options: { flvUrl: nms.wsFlvUrl('live', 'clock'), hasAudio: false } });
    browser = await launchChromium();
    const runs: LatencyRun[] = [];
    for (const contender of contenders) {
      context.log(`${contender.name}: playing ${seconds} s`);
      const result = await playFor(browser, site, contender, seconds);
      runs.push(result);
      context.log(
        result.error ??
          `${contender.name}: p50 ${formatNumber(percentile(result.steady, 50), 0)} ms, p99 ${formatNumber(percentile(result.steady, 99), 0)} ms, stalls ${result.report?.stalls ?? 'n/a'}`,
      );
    }
    const summary = runs.map((r) => ({
      name: r.name,
      samples: r.steady.length,
      p50: percentile(r.steady, 50),
      p95: percentile(r.steady, 95),
      p99: percentile(r.steady, 99),
      max: r.steady.length ? Math.max(...r.steady) : Number.NaN,
      stalls: r.report?.stalls ?? null,
      playerStalls: r.report?.playerStalls ?? null,
      unreadable: r.report?.unreadable ?? null,
      error: r.error ?? null,
    }));
    const ours = summary.find((s) => s.name === 'rtmp-web player via bridge, nginx-rtmp' && s.samples > 0) ?? summary.find((s) => s.name.startsWith('rtmp-web') && s.samples > 0);
    const baseline = summary.find((s) => s.name.startsWith('mpegts.js'));
    const targets: TargetCheck[] = ours
      ? [
          { measure: `glass-to-glass p50 (${ours.name})`, target: '<= 250 ms', actual: `${formatNumber(ours.p50, 0)} ms (mpegts.js ${formatNumber(baseline?.p50 ?? Number.NaN, 0)} ms)`, met: ours.p50 <= 250 },
          { measure: `glass-to-glass p99 (${ours.name})`, target: '<= 400 ms', actual: `${formatNumber(ours.p99, 0)} ms (mpegts.js ${formatNumber(baseline?.p99 ?? Number.NaN, 0)} ms)`, met: ours.p99 <= 400 },
          { measure: `stalls (${ours.name})`, target: '0', actual: `${ours.stalls} (mpegts.js ${baseline?.stalls ?? 'n/a'})`, met: ours.stalls === 0 },
        ]
      : [{ measure: 'glass-to-glass latency', target: 'p50 <= 250 ms, p99 <= 400 ms, 0 stalls', actual: 'not measured', met: null }];
    return {
      title: 'Glass-to-glass latency (Chromium, loopback)',
      tables: [
        {
          title: `${seconds} s of playback each after a ${WARMUP_SEC} s settle, one presented frame = one sample`,
          columns: ['player', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'stalls (waiting events)', 'unreadable frames'],
          rows: summary.map((s) =>
            s.error
              ? [s.name, '0', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', s.error]
              : [s.name, String(s.samples), formatNumber(s.p50, 0), formatNumber(s.p95, 0), formatNumber(s.p99, 0), formatNumber(s.max, 0), String(s.stalls), String(s.unreadable)],
          ),
        },
      ],
      targets,
      notes: [
        'Publisher: Node draws Date.now() into each 640x360 frame as 40 black/white blocks and pipes frames at 30 fps into ffmpeg (x264 veryfast zerolatency, 1 s GOP, 1 Mbit/s, no audio), which publishes over RTMP. The page reads the blocks from each presented frame (requestVideoFrameCallback, canvas) and subtracts them from the presentation time (performance.timeOrigin + presentationTime). Same machine, same clock: the figure includes encoding, the server, the bridge, the player, decoding and presentation.',
        `Stalls are the video element's 'waiting' events from the first presented frame on (the ${WARMUP_SEC} s settle included), for both players alike.`,
        'The players run one after another against the same two live publishes; the latency target is checked on our player with nginx-rtmp (the server the project targets first); node-media-server is shown too, beside mpegts.js on the same node-media-server publish.',
        ...notes,
      ],
      data: { seconds, warmupSec: WARMUP_SEC, summary, framesSent: publishers.map((p) => p.framesSent()) },
    };
  } finally {
    await browser?.close();
    await stack?.stop();
    await site.close();
  }
}

export const latency: Benchmark = {
  name: 'latency',
  description: 'glass-to-glass latency (pixel clock) p50/p95/p99 and stalls: our player vs mpegts.js with liveSync, >= 60 s',
  run,
};
