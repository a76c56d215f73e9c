/** Every benchmark `pnpm bench` knows, in the order it runs them (cheapest first). */
import { amf } from './amf';
import { bridge } from './bridge';
import { latency } from './browser/latency';
import { memory } from './browser/memory';
import { ttff } from './browser/ttff';
import { bundleSize } from './bundle-size';
import { chunkParsing } from './chunk-parsing';
import type { Benchmark } from './lib/result';

export const BENCHMARKS: Benchmark[] = [chunkParsing, amf, bundleSize, bridge, ttff, latency, memory];
