import { expect } from 'vitest';
import { splitAtEveryBoundary, splitIntoSingleBytes, toHex } from '@rtmp-web/bytes';
import { ChunkReader } from '../../src/chunk';
import type { ChunkReaderOptions } from '../../src/chunk';
import type { RtmpMessage } from '../../src/types';

/** A message with its payload as hex, for readable exact comparisons. */
export interface MessageSummary {
  csid: number;
  type: number;
  streamId: number;
  timestamp: number;
  payload: string;
}

export function summarize(message: RtmpMessage): MessageSummary {
  return { csid: message.csid, type: message.type, streamId: message.streamId, timestamp: message.timestamp, payload: toHex(message.payload) };
}

export function readParts(parts: readonly Uint8Array[], options?: ChunkReaderOptions, setup?: (reader: ChunkReader) => void): MessageSummary[] {
  const reader = new ChunkReader(options);
  setup?.(reader);
  const out: MessageSummary[] = [];
  // push() takes ownership of its input (the reader may rewrite it), and the splits share one fixture.
  for (const part of parts) for (const message of reader.push(part.slice())) out.push(summarize(message));
  return out;
}

/**
 * Reads `bytes` whole, split at every boundary, and one byte at a time; every way must give
 * `expected`. Returns the messages for further checks.
 */
export function expectReadsEverySplit(
  bytes: Uint8Array,
  expected: MessageSummary[],
  options?: ChunkReaderOptions,
  setup?: (reader: ChunkReader) => void,
): void {
  for (const parts of splitAtEveryBoundary(bytes)) {
    const got = readParts(parts, options, setup);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      expect({ split: parts.map((p) => p.length), got }).toEqual({ split: parts.map((p) => p.length), got: expected });
    }
  }
  expect(readParts(splitIntoSingleBytes(bytes), options, setup)).toEqual(expected);
}

/** Reads `bytes` split every way and expects the same RtmpError code each time. */
export function expectErrorEverySplit(bytes: Uint8Array, code: string, options?: ChunkReaderOptions): void {
  for (const parts of [...splitAtEveryBoundary(bytes), splitIntoSingleBytes(bytes)]) {
    let caught: unknown;
    try {
      readParts(parts, options);
    } catch (error) {
      caught = error;
    }
    expect(caught, `split ${parts.map((p) => p.length).join('+')}`).toMatchObject({ code, category: code.startsWith('CHUNK_') ? 'chunk' : 'protocol' });
  }
}

/** Hex of `count` bytes counting up from `first` (mod 256): distinct, recognisable payload filler. */
export function filler(count: number, first: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += ((first + i) & 0xff).toString(16).padStart(2, '0');
  return out;
}
