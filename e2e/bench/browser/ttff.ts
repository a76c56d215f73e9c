/**
 * Issue 6, item 4: time to first frame in Chromium. One ffmpeg publish (640x360 25 fps,
 * 1 s GOP, H.264 + AAC) to nginx-rtmp and one to node-media-server; then, interleaved,
 * fresh pages of: our player through the bridge (nginx-rtmp, node-media-server), and
 * mpegts.js on node-media-server's WebSocket-FLV of the same publish. First frame is the
 * first requestVideoFrameCallback after start, in page time.
 */
import type { Browser } from 'playwright-core';
import { publishTestStream, type Publisher } from '../../servers/index';
import { sleep } from '../../servers/process';
import { formatNumber, formatRatio, median, percentile } from '../lib/measure';
import type { BenchContext, BenchOutcome, Benchmark, TargetCheck } from '../lib/result';
import { closeBenchPage, launchChromium, openBenchPage, readReport, startBenchSite, type BenchSite, type PageName } from './harness';
import { startBenchStack, type BenchStack } from './stack';

interface Contender {
  name: string;
  page: PageName;
  options: Record<string, unknown>;
  /** Query string of the page (`cold`: our player with its warm-up cancelled). */
  query?: string;
}

interface RunResult {
  contender: string;
  firstFrameMs: number | null;
  stages: Record<string, number | null> | null;
  errors: string[];
}

const FIRST_FRAME_TIMEOUT_MS = 15_000;

async function oneRun(browser: Browser, site: BenchSite, contender: Contender): Promise<RunResult> {
  const page = await openBenchPage(browser, site, contender.page, contender.options, contender.query);
  try {
    const deadline = Date.now() + FIRST_FRAME_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const report = await readReport(page);
      if (report.firstFrameMs !== null) {
        // Let the stage timestamps settle (firstFrame is set from the same callback).
        await sleep(100);
        const settled = await readReport(page);
        return { contender: contender.name, firstFrameMs: report.firstFrameMs, stages: settled.stages, errors: settled.errors };
      }
      await sleep(20);
    }
    const report = await readReport(page);
    return { contender: contender.name, firstFrameMs: null, stages: report.stages, errors: report.errors };
  } finally {
    await closeBenchPage(page);
  }
}

async function run(context: BenchContext): Promise<BenchOutcome> {
  const runs = context.quick ? 4 : 12;
  const site = await startBenchSite();
  let stack: BenchStack<Publisher> | null = null;
  let browser: Browser | null = null;
  const notes: string[] = [];
  try {
    stack = await startBenchStack('ttff', (url) => publishTestStream(url), 'both');
    const { nginx, nms, bridgeUrl } = stack;
    const contenders: Contender[] = [];
    if (site.pages.ours.ok) {
      contenders.push(
        { name: 'rtmp-web player via bridge, nginx-rtmp', page: 'ours', options: { rtmpUrl: nginx.url('live', 'ttff'), bridge: bridgeUrl, readClock: false } },
        { name: 'rtmp-web player via bridge, node-media-server', page: 'ours', options: { rtmpUrl: nms.url('live', 'ttff'), bridge: bridgeUrl, readClock: false } },
        {
          name: 'rtmp-web player via bridge, node-media-server, cold (no warm-up)',
          page: 'ours',
          query: 'cold',
          options: { rtmpUrl: nms.url('live', 'ttff'), bridge: bridgeUrl, readClock: false },
        },
      );
    } else {
      notes.push(`Our player was not measured: its bench page does not build in this checkout (${site.pages.ours.error ?? 'unknown error'}).`);
    }
    if (site.pages.mpegts.ok) {
      contenders.push({ name: 'mpegts.js, node-media-server WS-FLV', page: 'mpegts', options: { flvUrl: nms.wsFlvUrl('live', 'ttff'), readClock: false, hasAudio: true } });
    } else {
      notes.push(`mpegts.js was not measured: its page does not build (${site.pages.mpegts.error ?? 'unknown error'}).`);
    }
    browser = await launchChromium();
    const results: RunResult[] = [];
    for (let i = 0; i < runs; i++) {
      for (const contender of contenders) {
        const result = await oneRun(browser, site, contender);
        results.push(result);
        context.log(`${contender.name} run ${i + 1}/${runs}: ${result.firstFrameMs === null ? `no frame (${result.errors.join('; ') || 'timeout'})` : `${formatNumber(result.firstFrameMs, 0)} ms`}`);
      }
    }
    const summary = contenders.map((c) => {
      const mine = results.filter((r) => r.contender === c.name);
      const times = mine.flatMap((r) => (r.firstFrameMs === null ? [] : [r.firstFrameMs]));
      const stageNames = ['wsOpen', 'handshake', 'connect', 'play', 'firstMedia', 'firstFrame'];
      const stages = Object.fromEntries(
        stageNames.map((s) => [s, median(mine.flatMap((r) => (typeof r.stages?.[s] === 'number' ? [r.stages[s]] : [])))]),
      );
      return { name: c.name, runs: mine.length, ok: times.length, median: median(times), p10: percentile(times, 10), p90: percentile(times, 90), min: Math.min(...times), max: Math.max(...times), stages };
    });
    const baseline = summary.find((s) => s.name.startsWith('mpegts.js'));
    // Where our time goes: the gaps between consecutive stages (medians of medians, so approximate).
    for (const s of summary.filter((x) => x.name.startsWith('rtmp-web'))) {
      const entries = Object.entries(s.stages).filter(([, v]) => !Number.isNaN(v)) as [string, number][];
      const gaps = entries.map(([k, v], i) => ({ span: i === 0 ? `load -> ${k}` : `${entries[i - 1]![0]} -> ${k}`, ms: i === 0 ? v : v - entries[i - 1]![1] }));
      const largest = [...gaps].sort((a, b) => b.ms - a.ms).slice(0, 2);
      if (largest.length > 0) notes.push(`${s.name}: the largest steps are ${largest.map((g) => `${g.span} (${formatNumber(g.ms, 0)} ms)`).join(' and ')}.`);
    }
    const oursNms = summary.find((s) => s.name === 'rtmp-web player via bridge, node-media-server');
    const targets: TargetCheck[] = [
      {
        measure: 'time to first frame',
        target: '<= 1.0x mpegts.js over WS-FLV (same server, GOP)',
        actual:
          oursNms && baseline && oursNms.ok > 0
            ? `${formatRatio(oursNms.median / baseline.median)} (${formatNumber(oursNms.median, 0)} vs ${formatNumber(baseline.median, 0)} ms median)`
            : `not measured (mpegts.js: ${baseline ? `${formatNumber(baseline.median, 0)} ms median` : 'n/a'})`,
        met: oursNms && baseline && oursNms.ok > 0 ? oursNms.median <= baseline.median : null,
      },
    ];
    const stageCell = (s: (typeof summary)[number]) =>
      Object.values(s.stages).every((v) => Number.isNaN(v))
        ? 'n/a'
        : Object.entries(s.stages)
            .filter(([, v]) => !Number.isNaN(v))
            .map(([k, v]) => `${k} ${formatNumber(v as number, 0)}`)
            .join(', ');
    return {
      title: 'Time to first frame (Chromium)',
      tables: [
        {
          title: `First presented frame after start, ${runs} fresh pages each, interleaved`,
          columns: ['player', 'frames/runs', 'median ms', 'p10..p90 ms', 'min..max ms', 'vs mpegts.js', 'our stages (median ms since load)'],
          rows: summary.map((s) => [
            s.name,
            `${s.ok}/${s.runs}`,
            formatNumber(s.median, 0),
            `${formatNumber(s.p10, 0)}..${formatNumber(s.p90, 0)}`,
            `${formatNumber(s.min, 0)}..${formatNumber(s.max, 0)}`,
            baseline ? formatRatio(s.median / baseline.median) : 'n/a',
            stageCell(s),
          ]),
        },
      ],
      targets,
      notes: [
        'Publish: ffmpeg testsrc2 640x360 25 fps, x264 veryfast zerolatency, 1 s GOP, AAC, paced with -re, one publish per server for the whole run. A page joins mid-GOP, so the server\'s GOP cache (or its absence) shows in the figures: node-media-server keeps the last GOP and sends it on play; nginx-rtmp (no cache configured) waits for the next keyframe.',
        'Timing: from the page calling start (player created, load()) to the first requestVideoFrameCallback, in the page\'s clock. Each run is a fresh page in one Chromium (system /usr/bin/chromium, headless, muted autoplay).',
        'mpegts.js options: isLive, enableStashBuffer false, liveBufferLatencyChasing and liveSync on, no worker.',
        "Both pages have their player code loaded before start: the mpegts.js page bundles mpegts.js; ours waits for the player's remuxer chunk (mpegts.js's demuxer, remuxer and MSE controller, which the player preloads when imported) and for the player's warm-up, which it runs by itself in idle time after import: one playback of a synthetic stream inside the page (in-memory RTMP server and WebSocket, nothing appended to MSE; docs/player.md, \"Warm-up\"). The cold row is a page that cancels the warm-up and plays as soon as the code has loaded, as a page that loads a stream the moment it opens does: it shows what the warm-up is worth. The target is checked on the warm row, the player as it ships to a page that imports it before playing.",
        "Where the time goes now: the WebSocket upgrade to the bridge (carrying C0+C1 as early data, written upstream before the 101), then C2 + connect + createStream + play in one write, then one more round trip because the servers write their answers with Nagle on and wait for an acknowledgement that only data from the page brings promptly; then Chromium's own set-up of the media pipeline (the audio track's first append and loadedmetadata take 20-50 ms on this machine), the same for both players.",

        ...notes,
      ],
      data: { runs: results, summary },
    };
  } finally {
    await browser?.close();
    await stack?.stop();
    await site.close();
  }
}

export const ttff: Benchmark = {
  name: 'ttff',
  description: 'time to first frame in Chromium: our player via the bridge vs mpegts.js over NMS WS-FLV, >= 10 runs each',
  run,
};
