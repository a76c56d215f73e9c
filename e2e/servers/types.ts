export interface RtmpServerHandle {
  kind: 'nginx' | 'nms' | 'ffmpeg';
  host: '127.0.0.1';
  port: number;
  /** rtmp://127.0.0.1:PORT/app/stream */
  url(app: string, stream: string): string;
  /** Kills the process tree, waits for it to exit, removes temp dirs. Idempotent. */
  stop(): Promise<void>;
  /** Stops and starts the server again on the same port (nginx and nms). */
  restart?(): Promise<void>;
  /** Recent stdout/stderr (and the server's own log files), for failure messages. */
  logs(): string;
}

export interface PublisherOptions {
  video?: boolean;
  audio?: boolean;
  width?: number;
  height?: number;
  fps?: number;
  /** Frames between keyframes; default fps (one keyframe per second). */
  gopFrames?: number;
  durationSec?: number;
  videoCodec?: 'h264';
  /**
   * Planted fault: from this many seconds into the stream on, every timestamp (video and
   * audio) jumps forward by `timestampJumpSec` (default 5 s).
   */
  timestampJumpAtSec?: number;
  timestampJumpSec?: number;
  /** Appended just before the output options. */
  extraArgs?: string[];
}

export interface Publisher {
  /** Stops ffmpeg (SIGTERM, then SIGKILL) and waits for it; resolves with its exit code. */
  stop(): Promise<void>;
  /** Exit code of ffmpeg (0 after a clean end of durationSec). */
  done: Promise<number>;
  logs(): string;
}
