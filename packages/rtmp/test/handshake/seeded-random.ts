/** Deterministic byte source (xorshift32) so handshake packets are reproducible across runs. */
export function seededRandom(seed: number): (count: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (count) => {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}
