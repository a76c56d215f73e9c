import { parseArgs } from 'node:util';
import type { CodedError } from '@rtmp-web/bytes';
import { ProbeError } from './errors';
import { runProbe } from './run-probe';
import type { ProbeMediaEntry, ProbeOptions, ProbeReport } from './run-probe';
import { createTraceTap } from './trace';
import type { JsonValue } from './amf-json';

export const PROBE_USAGE = `usage: rtmp-web probe <rtmp-url> [--duration <seconds>] [--timeout <seconds>] [--messages] [--json] [--trace] [--handshake simple|digest]

Connects, plays <rtmp-url> and prints what it saw: handshake, connect result, the first
NetStream.Play.* code, onMetaData, the tracks, counts and bitrate per track.
  --duration <s>   stop after this many seconds of playing (default 5); a recorded stream stops at its end
  --timeout <s>    limit for each wait: connect, Play.Start, the first media message (default 10)
  --messages       also list every audio/video message (type, timestamp, size, keyframe, config)
  --json           print one JSON document on stdout instead of text
  --trace          print the handshake and every message in both directions as they happen
                   (on stdout; on stderr with --json)
  --handshake k    offer the 'digest' (default) or 'simple' handshake
Exit codes: 0 ok, 1 failure (one line on stderr; {"error":{code,message}} on stdout with --json), 2 usage.`;

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export interface ParsedProbeArgs {
  options: ProbeOptions;
  json: boolean;
  trace: boolean;
  messages: boolean;
}

/** Parses `probe` arguments; throws ProbeError PROBE_USAGE on anything malformed. */
export function parseProbeArgs(argv: string[]): ParsedProbeArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof PROBE_OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: PROBE_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ProbeError('PROBE_USAGE', error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new ProbeError('PROBE_USAGE', positionals.length === 0 ? 'missing <rtmp-url>' : `expected one URL, got ${positionals.length} arguments`);
  }
  const seconds = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || value > 86_400) throw new ProbeError('PROBE_USAGE', `--${name} must be a number of seconds in (0, 86400], got "${text}"`);
    return value;
  };
  const handshake = values.handshake ?? 'digest';
  if (handshake !== 'digest' && handshake !== 'simple') throw new ProbeError('PROBE_USAGE', `--handshake must be "digest" or "simple", got "${handshake}"`);
  return {
    options: {
      url: positionals[0]!,
      durationSec: seconds('duration', values.duration, 5),
      timeoutSec: seconds('timeout', values.timeout, 10),
      collectMedia: values.messages ?? false,
      handshake,
    },
    json: values.json ?? false,
    trace: values.trace ?? false,
    messages: values.messages ?? false,
  };
}

const PROBE_OPTIONS = {
  duration: { type: 'string' },
  timeout: { type: 'string' },
  messages: { type: 'boolean' },
  json: { type: 'boolean' },
  trace: { type: 'boolean' },
  handshake: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `rtmp-web probe ...`: returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runProbeCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${PROBE_USAGE}\n`);
    return 0;
  }
  const wantsJson = argv.includes('--json');
  let args: ParsedProbeArgs;
  try {
    args = parseProbeArgs(argv);
  } catch (error) {
    return reportFailure(error, wantsJson, io, 2);
  }
  const options: ProbeOptions = { ...args.options };
  if (args.trace) {
    const write = args.json ? io.stderr : io.stdout;
    options.tap = createTraceTap((line) => write(`${line}\n`));
  }
  if (args.messages && !args.json) options.onMedia = (entry) => io.stdout(`${formatMediaEntry(entry)}\n`);
  try {
    const report = await runProbe(options);
    io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  } catch (error) {
    return reportFailure(error, args.json, io, error instanceof ProbeError && error.code === 'PROBE_USAGE' ? 2 : 1);
  }
}

function reportFailure(error: unknown, json: boolean, io: CommandIo, exitCode: number): number {
  const coded = error instanceof Error && 'code' in error && typeof (error as CodedError).code === 'string' ? (error as CodedError) : undefined;
  const code = coded?.code ?? 'INTERNAL_ERROR';
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  if (json) io.stdout(`${JSON.stringify({ error: { code, message } })}\n`);
  io.stderr(`rtmp-web probe: ${code}: ${message}\n`);
  if (exitCode === 2 && !json) io.stderr(`${PROBE_USAGE}\n`);
  return exitCode;
}

export function formatMediaEntry(entry: ProbeMediaEntry): string {
  const flags = [entry.keyframe ? 'keyframe' : '', entry.config ? 'config' : ''].filter(Boolean).join(' ');
  return `${entry.type.padEnd(5)} ts=${String(entry.timestamp).padStart(7)} size=${String(entry.size).padStart(6)}${entry.codec ? ` ${entry.codec}` : ''}${flags ? ` ${flags}` : ''}`;
}

/** The human-readable report (the default output). */
export function formatReport(report: ProbeReport): string {
  const lines: string[] = [];
  const row = (label: string, text: string): void => {
    lines.push(`${label.padEnd(10)} ${text}`);
  };
  row('url', `${report.url}  (app "${report.app}", stream "${report.streamName}")`);
  const hs = report.handshake;
  row(
    'handshake',
    `${hs.kind}${hs.kind === 'digest' ? (hs.serverDigestVerified ? ', server digest verified' : ', server digest NOT verified (server answered the simple way)') : ''}, server version ${hs.serverVersion}, ${hs.roundTripMs.toFixed(0)} ms`,
  );
  const properties = report.connect.properties;
  const fmsVer = properties !== null && typeof properties === 'object' && !Array.isArray(properties) && typeof properties.fmsVer === 'string' ? ` (${properties.fmsVer})` : '';
  row('connect', `${report.connect.code}${report.connect.description ? ` "${report.connect.description}"` : ''}${fmsVer}`);
  row('play', `${report.play.code}${report.play.description ? ` "${report.play.description}"` : ''}`);
  if (report.statuses.length > 1) row('statuses', report.statuses.join(', '));
  row('metadata', report.metadata === null ? '(none)' : formatMetadata(report.metadata));
  const { video, audio } = report.tracks;
  const rate = (kbps: number | null): string => (kbps === null ? '' : `, ${kbps.toFixed(1)} kbit/s`);
  row('video', video ? `${video.codec} ${video.width ?? '?'}x${video.height ?? '?'}, ${report.counts.video} messages, ${report.bytes.video} B${rate(report.bitrateKbps.video)}` : `(none), ${report.counts.video} messages`);
  row('audio', audio ? `${audio.codec} ${audio.sampleRate ?? '?'} Hz ${audio.channels ?? '?'} ch, ${report.counts.audio} messages, ${report.bytes.audio} B${rate(report.bitrateKbps.audio)}` : `(none), ${report.counts.audio} messages`);
  row('data', `${report.counts.data} messages`);
  row('stopped', `${report.stopReason === 'duration' ? 'duration reached' : report.stopReason} after ${(report.playedMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

function formatMetadata(metadata: JsonValue): string {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return JSON.stringify(metadata);
  return Object.entries(metadata)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? printable(value) : JSON.stringify(value)}`)
    .join(' ');
}

/** Servers pad some strings with NULs (nginx-rtmp's profile/level): keep the terminal clean. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '').trim();
}
