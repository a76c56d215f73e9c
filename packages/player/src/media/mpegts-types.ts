/**
 * The slice of mpegts.js 1.8 (npm `mpegts.js`, Apache-2.0) the sink uses, typed locally so the
 * library is only loaded (dynamically) in a page and never in Node tests.
 */
export interface MpegtsLoaderLike {
  _status: number;
  _needStash: boolean;
  onDataArrival: ((chunk: ArrayBuffer, byteStart: number, receivedLength?: number) => void) | null;
  onError: ((type: string, info: { code: number; msg: string }) => void) | null;
  onComplete: ((from: number, to: number) => void) | null;
  destroy(): void;
  isWorking(): boolean;
}

export interface MpegtsLoaderBase {
  new (typeName: string): MpegtsLoaderLike;
}

export interface MpegtsPlayerLike {
  attachMediaElement(element: HTMLMediaElement): void;
  load(): void;
  unload(): void;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

export interface MpegtsModuleLike {
  createPlayer(source: Record<string, unknown>, config: Record<string, unknown>): MpegtsPlayerLike;
  isSupported(): boolean;
  BaseLoader: MpegtsLoaderBase;
  LoaderStatus: { kIdle: number; kConnecting: number; kBuffering: number; kError: number; kComplete: number };
  Events: { ERROR: string; MEDIA_INFO: string };
  LoggingControl: { applyConfig(config: Record<string, boolean>): void };
}

let loading: Promise<MpegtsModuleLike> | null = null;

/**
 * Loads mpegts.js once, on first use (it touches `self`/`window` at import time, so it is never
 * imported statically). The player calls this at load() so the module is ready by the time the
 * tracks are known, which keeps it off the time-to-first-frame path.
 */
export function loadMpegts(): Promise<MpegtsModuleLike> {
  loading ??= import('mpegts.js').then((module) => {
    const loaded = module as unknown as { default?: MpegtsModuleLike } & MpegtsModuleLike;
    return loaded.default ?? loaded;
  });
  return loading;
}
