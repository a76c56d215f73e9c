/**
 * Every way to cut `bytes` into two pieces (and the unsplit input first). Parser tests feed
 * each variant to an incremental parser and require the same result, so no state machine can
 * depend on how the network happened to split its input.
 */
export function* splitAtEveryBoundary(bytes: Uint8Array): Generator<Uint8Array[]> {
  yield [bytes];
  for (let cut = 1; cut < bytes.byteLength; cut++) {
    yield [bytes.subarray(0, cut), bytes.subarray(cut)];
  }
}

/** The input cut into single bytes: the harshest split. */
export function splitIntoSingleBytes(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i++) out.push(bytes.subarray(i, i + 1));
  return out;
}
