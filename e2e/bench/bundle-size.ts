/**
 * Issue 6, item 6: bundle size of what a page embeds, built with Vite (production, minified,
 * ES module, every dependency inlined) and measured raw, gzip (level 9) and brotli (quality 11)
 * via node:zlib. Budgets (gzip): protocol core <= 20 KB, whole player incl. mpegts.js <= 80 KB.
 *
 * `pnpm size [--enforce <id>,...]` runs this file directly: it prints every bundle and exits 1
 * when an enforced budget is overrun (the CI check; `pnpm test` runs it with the budgets that
 * hold on main). `pnpm bench --only bundle-size` reports the same figures and never fails for
 * them. The protocol core is measured through a realistic client entry (bundle-entries/core.ts),
 * not `export *`: what a page reaches when it connects and plays, nothing it never calls.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { formatNumber } from './lib/measure';
import type { BenchContext, BenchOutcome, Benchmark, TargetCheck } from './lib/result';

const HERE = dirname(fileURLToPath(import.meta.url));
const KB = 1000;

export interface BundleSpec {
  /** Short id for `pnpm size --enforce <id,...>`. */
  id: string;
  name: string;
  description: string;
  entry: string;
  /** gzip budget in bytes; null for a bundle measured only for information. */
  gzipBudget: number | null;
}

export const BUNDLES: BundleSpec[] = [
  {
    id: 'core',
    name: 'protocol core',
    description:
      'an AMF0 RTMP client as a page embeds it (bundle-entries/core.ts): client handshake, chunk reader/writer, message codecs, AMF0, NetConnection/NetStream with media-message parsing; AMF3 and shared objects are opt-in codecs, not passed',
    entry: join(HERE, 'bundle-entries', 'core.ts'),
    gzipBudget: 20 * KB,
  },
  {
    id: 'core-full',
    name: 'protocol core with AMF3 and shared objects',
    description:
      'the same client given fullCodecs (bundle-entries/core-full.ts): the protocol core plus the AMF3 codec and shared-object decoding (no budget: to show what the opt-in codecs add)',
    entry: join(HERE, 'bundle-entries', 'core-full.ts'),
    gzipBudget: null,
  },
  {
    id: 'wire',
    name: 'wire protocol only',
    description:
      'the core without the session (bundle-entries/wire.ts): client handshake, chunk reader/writer, message codecs (shared-object decode included), AMF0; no NetConnection/NetStream, URL parser or media parsing (no budget: to show what the session adds)',
    entry: join(HERE, 'bundle-entries', 'wire.ts'),
    gzipBudget: null,
  },
  {
    id: 'everything',
    name: 'all of bytes+amf+rtmp',
    description: 'everything the three packages export from their browser entries (no budget: nothing hidden)',
    entry: join(HERE, 'bundle-entries', 'everything.ts'),
    gzipBudget: null,
  },
  {
    id: 'player',
    name: 'whole player',
    description: '@rtmp-web/player + @rtmp-web/player/element as a page imports them, with the core and mpegts.js (all chunks, lazy ones included)',
    entry: join(HERE, 'bundle-entries', 'player.ts'),
    gzipBudget: 80 * KB,
  },
  {
    id: 'mpegts-full',
    name: 'mpegts.js full',
    description: 'mpegts.js 1.8 distribution bundle (player, IO, FLV + MPEG-TS demuxers, remuxer, worker; no budget: for comparison)',
    entry: join(HERE, 'bundle-entries', 'mpegts-full.ts'),
    gzipBudget: null,
  },
  {
    id: 'mpegts-modules',
    name: 'mpegts.js modules',
    description: 'mpegts.js 1.8 FLVDemuxer + MP4Remuxer + MSEController + Log from its src/, what the player drives (no budget: for comparison)',
    entry: join(HERE, 'bundle-entries', 'mpegts-modules.js'),
    gzipBudget: null,
  },
];

export interface BundleSize {
  name: string;
  description: string;
  raw: number;
  gzip: number;
  brotli: number;
  gzipBudget: number | null;
  /** null when there is no budget. */
  withinBudget: boolean | null;
  /** The largest packages by rendered length (before minification), to say what the bytes are. */
  largestModules: { module: string; bytes: number }[];
  /** The same by folder of our own packages (src/<folder>), to say which part of the core weighs. */
  largestAreas: { area: string; bytes: number }[];
  /**
   * The output chunks: the entry and those loaded later through dynamic import() (a page fetches
   * those when it first plays). raw/gzip above are of all chunks together.
   */
  chunks: { name: string; entry: boolean; raw: number; gzip: number; largest: string }[];
}

/** The package a bundled module belongs to: an npm name, a workspace package, or the entry. */
function packageOf(id: string): string {
  const nodeModules = id.lastIndexOf('/node_modules/');
  if (nodeModules >= 0) {
    const parts = id.slice(nodeModules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const workspace = /\/packages\/([^/]+)\//.exec(id);
  if (workspace) return `@rtmp-web/${workspace[1]}`;
  if (id.startsWith('\0')) return 'bundler runtime';
  return 'entry';
}

/** For our packages, package plus its src folder ("@rtmp-web/rtmp/session"); else the package. */
function areaOf(id: string): string {
  const workspace = /\/packages\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(id);
  if (workspace && !id.includes('/node_modules/')) return `@rtmp-web/${workspace[1]}/${workspace[2] ?? '(top)'}`;
  return packageOf(id);
}

export interface BundleFailure {
  name: string;
  description: string;
  gzipBudget: number | null;
  /** The bundler's error, first lines, without colours. */
  error: string;
}

export function isFailure(result: BundleSize | BundleFailure): result is BundleFailure {
  return 'error' in result;
}

/** Builds and measures one bundle; a bundle that does not build comes back as a BundleFailure. */
export async function measureBundle(spec: BundleSpec): Promise<BundleSize | BundleFailure> {
  try {
    return await buildAndMeasure(spec);
  } catch (error) {
    // eslint-disable-next-line no-control-regex
    const text = (error instanceof Error ? error.message : String(error)).replace(/\u001b\[[0-9;]*m/g, '');
    const lines = text.split('\n').filter((l) => /^\s*\[[A-Z_]+\]|^Build failed/.test(l)).map((l) => l.trim());
    return { name: spec.name, description: spec.description, gzipBudget: spec.gzipBudget, error: (lines.length > 0 ? lines : text.split('\n').slice(0, 3)).slice(0, 6).join('; ') };
  }
}

/**
 * One production build of `entry`. With `splitByArea`, every area (areaOf) becomes a chunk of its
 * own, so that each area's minified size can be read off its chunk.
 */
async function buildChunks(entry: string, splitByArea = false): Promise<Rolldown.OutputChunk[]> {
  const codeSplitting = splitByArea ? { groups: [{ name: (id: string) => sanitizeArea(areaOf(id)) }] } : undefined;
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root: HERE,
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      reportCompressedSize: false,
      target: 'es2022',
      lib: { entry, formats: ['es'], fileName: 'bundle' },
      // Library mode keeps whitespace and line breaks in ES output (so that a later bundler still
      // sees the pure annotations); a page's own production build minifies fully, so do that here.
      rolldownOptions: { output: { minify: true, comments: false, ...(codeSplitting ? { codeSplitting } : {}) } },
    },
  });
  const results = (Array.isArray(output) ? output : [output]) as Rolldown.RolldownOutput[];
  return results.flatMap((r) => r.output).filter((o): o is Rolldown.OutputChunk => o.type === 'chunk');
}

/**
 * Minified and gzip size per area (package folder), from a build that groups each area's modules
 * into a chunk of its own. Rolldown puts a small module shared by several areas (types, errors,
 * ByteWriter) into one of the groups that use it, and each chunk also carries its import/export
 * lines; gzip of a part alone is a little worse than its share of the whole. So the figures say
 * where the weight is, not to the byte, and add up to a little more than the bundle.
 */
export async function measureAreas(entry: string): Promise<{ area: string; minified: number; gzip: number; modules: number }[]> {
  const chunks = await buildChunks(entry, true);
  return chunks
    .map((chunk) => {
      const bytes = Buffer.from(chunk.code);
      const area = chunk.isEntry ? 'entry' : (Object.keys(chunk.modules).map(areaOf).find((a) => sanitizeArea(a) === chunk.name) ?? chunk.name);
      return { area, minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, modules: Object.keys(chunk.modules).length };
    })
    .sort((a, b) => b.minified - a.minified);
}

function sanitizeArea(area: string): string {
  return area.replace(/[^A-Za-z0-9]+/g, '_');
}

async function buildAndMeasure(spec: BundleSpec): Promise<BundleSize> {
  const chunks = await buildChunks(spec.entry);
  const code = Buffer.from(chunks.map((c) => c.code).join('\n'));
  const perModule = new Map<string, number>();
  const perArea = new Map<string, number>();
  for (const chunk of chunks) {
    for (const [id, info] of Object.entries(chunk.modules)) {
      const key = packageOf(id);
      perModule.set(key, (perModule.get(key) ?? 0) + info.renderedLength);
      const area = areaOf(id);
      perArea.set(area, (perArea.get(area) ?? 0) + info.renderedLength);
    }
  }
  const chunkSizes = chunks.map((chunk) => {
    const bytes = Buffer.from(chunk.code);
    const own = Object.entries(chunk.modules).sort((a, b) => b[1].renderedLength - a[1].renderedLength)[0];
    return {
      name: chunk.isEntry ? 'entry' : chunk.fileName,
      entry: chunk.isEntry,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      largest: own ? packageOf(own[0]) : '',
    };
  });
  const gzip = gzipSync(code, { level: 9 }).length;
  const brotli = brotliCompressSync(code, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length },
  }).length;
  return {
    name: spec.name,
    description: spec.description,
    raw: code.length,
    gzip,
    brotli,
    gzipBudget: spec.gzipBudget,
    withinBudget: spec.gzipBudget === null ? null : gzip <= spec.gzipBudget,
    largestModules: [...perModule.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([module, bytes]) => ({ module, bytes })),
    largestAreas: [...perArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([area, bytes]) => ({ area, bytes })),
    chunks: chunkSizes,
  };
}

const kb = (bytes: number) => `${formatNumber(bytes / KB, 1)} KB`;

async function run(context: BenchContext): Promise<BenchOutcome> {
  const results: (BundleSize | BundleFailure)[] = [];
  for (const spec of BUNDLES) {
    context.log(`building ${spec.name}`);
    results.push(await measureBundle(spec));
  }
  const targets: TargetCheck[] = results
    .filter((r) => r.gzipBudget !== null)
    .map((r) => ({
      measure: `bundle, gzip: ${r.name}`,
      target: `<= ${kb(r.gzipBudget!)}`,
      actual: isFailure(r) ? 'does not build yet' : kb(r.gzip),
      met: isFailure(r) ? null : r.withinBudget,
    }));
  const notes = [
    "Built with Vite 8 (rolldown) as a page's production build would: minified fully (library mode alone keeps line breaks and indentation in ES output, which inflated earlier figures by about 2 KB gzip on the core), ES2022, ES module, every dependency inlined, all output chunks counted (lazily imported ones too). gzip level 9 and brotli quality 11 from node:zlib. KB = 1000 bytes.",
    'The protocol core is what a page that speaks RTMP as a client embeds: e2e/bench/bundle-entries/core.ts connects (digest or simple handshake, optional tap), pipelines createStream and play behind connect (createStreamAndPlay, as the player does), listens to audio/video frames, onMetaData and status, answers a server call and makes one. The bundler keeps what that reaches: @rtmp-web/bytes (ByteReader/ByteWriter, errors), AMF0 (read and write), the client handshake, ChunkReader/ChunkWriter, the protocol-control, user-control, command, data and aggregate codecs, parseRtmpUrl, NetConnection and NetStream, and the FLV/E-RTMP audio/video message parsing into MediaFrames. It is an AMF0 client: RTMP\'s default object encoding is AMF0 (OBS, FFmpeg, nginx-rtmp, node-media-server), and AMF3 (objectEncoding 3, type 15/16/17 messages, the AVM+ switch) and shared-object decoding are opt-in codecs passed to the NetConnection (`new NetConnection({ codecs: fullCodecs })`, or `amf3Codec` / `sharedObjectCodec` one by one); without them those messages are typed errors (SESSION_AMF3_NOT_ENABLED, SESSION_SHARED_OBJECTS_NOT_ENABLED). "protocol core with AMF3 and shared objects" (bundle-entries/core-full.ts) is the same client with both, which is what @rtmp-web/player passes. The core leaves out what a client never reaches: ServerHandshake, the codec-configuration parsers (AVC/HEVC/AV1/VP9 records, AudioSpecificConfig, Opus/FLAC headers, describeTrack), the FLV file reader/writer, encoders only a server uses (shared-object encode, aggregate pack), MemoryTransport and the hex/test helpers. "all of bytes+amf+rtmp" is the informational row with everything.',
    '`pnpm size` runs the same measurement and exits 1 when a gzip budget is overrun or a budgeted bundle does not build; `pnpm test` (scripts/test-all.mjs, what CI runs) runs it as one more counted check with `--enforce core,player`, so an overrun of either budget fails the build. The benchmark itself never fails for the figures.',

  ];
  for (const r of results) {
    if (isFailure(r)) {
      notes.push(`${r.name} does not build in this checkout: ${r.error}`);
      continue;
    }
    const parts = r.largestModules.map((m) => `${m.module} ${kb(m.bytes)}`).join(', ');
    const split =
      r.chunks.length > 1
        ? ` Chunks (gzip each): ${r.chunks.map((c) => `${c.entry ? 'entry' : `lazy ${c.largest}`} ${kb(c.gzip)}`).join(', ')}.`
        : '';
    notes.push(`${r.name}, largest packages (rendered before minification): ${parts}.${split}`);
  }
  const core = results.find((r) => r.name === 'protocol core');
  let coreAreas: Awaited<ReturnType<typeof measureAreas>> = [];
  if (core && !isFailure(core)) {
    context.log('building protocol core split by area');
    coreAreas = await measureAreas(BUNDLES.find((b) => b.id === 'core')!.entry);
    const over = core.withinBudget === false ? ` It is ${kb(core.gzip - core.gzipBudget!)} gzip over its budget (brotli ${kb(core.brotli)}).` : '';
    notes.push(
      `Protocol core by area, minified / gzip of each area built as a chunk of its own (small modules shared by several areas, such as types, errors and ByteWriter, land in one of them; the parts gzip a little worse alone than inside the bundle): ${coreAreas.map((a) => `${a.area} ${kb(a.minified)} / ${kb(a.gzip)}`).join(', ')}.${over}`,
    );
  }
  const player = results.find((r) => r.name === 'whole player');
  const full = results.find((r) => r.name === 'mpegts.js full');
  const modules = results.find((r) => r.name === 'mpegts.js modules');
  if (full && !isFailure(full) && modules && !isFailure(modules)) {
    const share = player && !isFailure(player) ? ` The whole player is ${kb(player.gzip)}.` : '';
    notes.push(
      `mpegts.js: its full distribution is ${kb(full.gzip)} gzip; the FLV demuxer, MP4 remuxer, MSE controller and logger imported from its src/ are ${kb(modules.gzip)} (${Math.round((100 * modules.gzip) / full.gzip)}% of it): we feed it FLV tags only, so its IO loaders, MPEG-TS demuxer, worker and player are dead weight when the full bundle is embedded.${share}`,
    );
  }
  if (player && !isFailure(player) && player.withinBudget === false) {
    notes.push('The whole player is over its budget; its largest packages and chunks are listed above.');
  }
  return {
    title: 'Bundle size',
    tables: [
      {
        title: 'Minified ES module bundles',
        columns: ['bundle', 'contents', 'raw', 'gzip', 'brotli', 'gzip budget', 'verdict'],
        rows: results.map((r) => {
          const budget = r.gzipBudget === null ? 'none' : kb(r.gzipBudget);
          if (isFailure(r)) return [r.name, r.description, 'n/a', 'n/a', 'n/a', budget, 'does not build yet'];
          const verdict = r.withinBudget === null ? '' : r.withinBudget ? 'within' : '**over**';
          return [r.name, r.description, kb(r.raw), kb(r.gzip), kb(r.brotli), budget, verdict];
        }),
      },
    ],
    targets,
    notes,
    data: { bundles: results, coreAreas },
  };
}

export const bundleSize: Benchmark = {
  name: 'bundle-size',
  description: 'gzip/brotli size of the protocol core and of the whole player (with mpegts.js), against budgets',
  run,
};

/**
 * `pnpm size [--enforce <id>[,<id>...]]`: the budget check. Every bundle is built and printed;
 * the exit code is 1 when an enforced budget is overrun or an enforced bundle does not build.
 * Without --enforce every budget is enforced. A budget left out of --enforce is still measured
 * and printed with its verdict ("not enforced"), so an overrun stays visible.
 */
async function checkBudgets(argv: readonly string[]): Promise<void> {
  const flag = argv.findIndex((arg) => arg === '--enforce' || arg.startsWith('--enforce='));
  const enforceArg = flag < 0 ? null : argv[flag]!.includes('=') ? argv[flag]!.slice('--enforce='.length) : (argv[flag + 1] ?? '');
  const enforced = enforceArg === null ? null : new Set(enforceArg.split(',').filter(Boolean));
  const unknown = [...(enforced ?? [])].filter((id) => !BUNDLES.some((b) => b.id === id && b.gzipBudget !== null));
  if (unknown.length > 0) {
    console.error(`unknown or unbudgeted bundle id(s): ${unknown.join(', ')} (budgeted: ${BUNDLES.filter((b) => b.gzipBudget !== null).map((b) => b.id).join(', ')})`);
    process.exitCode = 2;
    return;
  }
  let failures = 0;
  for (const spec of BUNDLES) {
    const isEnforced = spec.gzipBudget !== null && (enforced === null || enforced.has(spec.id));
    const note = spec.gzipBudget !== null && !isEnforced ? ' (not enforced)' : '';
    const r = await measureBundle(spec);
    const budget = r.gzipBudget === null ? 'no budget' : `budget ${kb(r.gzipBudget)} gzip`;
    if (isFailure(r)) {
      console.log(`${r.name.padEnd(22)} DOES NOT BUILD${note}: ${r.error}`);
      if (isEnforced) failures++;
      continue;
    }
    const verdict = r.withinBudget === null ? '' : r.withinBudget ? 'ok' : 'OVER BUDGET';
    console.log(`${r.name.padEnd(22)} raw ${kb(r.raw).padStart(10)}  gzip ${kb(r.gzip).padStart(9)}  brotli ${kb(r.brotli).padStart(9)}  ${budget}  ${verdict}${note}`);
    if (r.withinBudget === false) {
      if (isEnforced) failures++;
      console.log(`  largest packages: ${r.largestModules.map((m) => `${m.module} ${kb(m.bytes)}`).join(', ')}`);
    }
  }
  if (failures > 0) {
    console.error(`${failures} enforced bundle budget(s) overrun or not building`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await checkBudgets(process.argv.slice(2));
