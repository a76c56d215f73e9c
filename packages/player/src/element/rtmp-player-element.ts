import { RtmpPlayer } from '../player';
import type { RtmpPlayerConfig } from '../player';

/** Events of the inner <video> re-dispatched on the host, so media-chrome and app code see them. */
const MEDIA_EVENTS = [
  'abort', 'canplay', 'canplaythrough', 'durationchange', 'emptied', 'ended', 'error', 'loadeddata', 'loadedmetadata',
  'loadstart', 'pause', 'play', 'playing', 'progress', 'ratechange', 'resize', 'seeked', 'seeking', 'stalled', 'suspend',
  'timeupdate', 'volumechange', 'waiting', 'enterpictureinpicture', 'leavepictureinpicture',
] as const;

const ATTRIBUTES = ['src', 'bridge', 'token', 'muted', 'autoplay', 'controls', 'playsinline', 'poster', 'target-latency'] as const;

/** The tag name registered by defineRtmpPlayerElement(). */
export const RTMP_PLAYER_TAG = 'rtmp-player';

/**
 * The public shape of `<rtmp-player>`: the HTMLMediaElement API by delegation to an inner
 * <video>, plus the RtmpPlayer that feeds it.
 */
export interface RtmpPlayerElement extends HTMLElement {
  readonly player: RtmpPlayer;
  readonly video: HTMLVideoElement;
  src: string;
  bridge: string;
  play(): Promise<void>;
  pause(): void;
  load(): void;
  currentTime: number;
  readonly paused: boolean;
  muted: boolean;
  volume: number;
  playbackRate: number;
  readonly duration: number;
  readonly buffered: TimeRanges;
  readonly seekable: TimeRanges;
  readonly readyState: number;
  readonly ended: boolean;
  readonly videoWidth: number;
  readonly videoHeight: number;
}

/**
 * Registers `<rtmp-player src="rtmp://host/app/key" bridge="ws://host:port/" muted autoplay controls>`
 * (once; later calls return the same class). Defined lazily so importing the package in Node
 * (where HTMLElement does not exist) stays harmless.
 */
export function defineRtmpPlayerElement(config: RtmpPlayerConfig = {}, tagName = RTMP_PLAYER_TAG): CustomElementConstructor {
  const existing = customElements.get(tagName);
  if (existing) return existing;

  class RtmpPlayerElementImpl extends HTMLElement implements RtmpPlayerElement {
    static get observedAttributes(): readonly string[] {
      return ATTRIBUTES;
    }

    readonly video: HTMLVideoElement;
    readonly player: RtmpPlayer;
    private connected = false;

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = ':host{display:inline-block;position:relative;background:#000;width:640px;aspect-ratio:16/9}' +
        'video{display:block;width:100%;height:100%;object-fit:contain}';
      this.video = document.createElement('video');
      this.video.setAttribute('part', 'video');
      this.video.playsInline = true;
      root.append(style, this.video);
      for (const type of MEDIA_EVENTS) {
        this.video.addEventListener(type, () => this.dispatchEvent(new Event(type)));
      }
      this.player = new RtmpPlayer(config);
      this.player.attachMedia(this.video);
      this.player.on('error', (error) => {
        this.dispatchEvent(new CustomEvent('rtmperror', { detail: error }));
      });
      this.player.on('state', (change) => {
        this.setAttribute('state', change.to);
        this.dispatchEvent(new CustomEvent('rtmpstate', { detail: change }));
      });
    }

    connectedCallback(): void {
      this.connected = true;
      this.syncFlags();
      if (this.hasAttribute('autoplay')) this.startIfReady();
    }

    disconnectedCallback(): void {
      this.connected = false;
      this.player.stop();
    }

    attributeChangedCallback(name: string, oldValue: string | null, value: string | null): void {
      if (oldValue === value) return;
      this.syncFlags();
      if ((name === 'src' || name === 'bridge' || name === 'token') && this.connected) {
        if (this.player.state !== 'idle' || this.hasAttribute('autoplay')) this.startIfReady();
      }
    }

    get src(): string {
      return this.getAttribute('src') ?? '';
    }
    set src(value: string) {
      this.setAttribute('src', value);
    }
    get bridge(): string {
      return this.getAttribute('bridge') ?? '';
    }
    set bridge(value: string) {
      this.setAttribute('bridge', value);
    }

    play(): Promise<void> {
      if (this.player.state === 'idle' || this.player.state === 'error') this.startIfReady();
      return this.video.play().catch((error: unknown) => {
        if (error instanceof Error && error.name === 'AbortError') return; // a new MediaSource replaced the old one
        throw error;
      });
    }
    pause(): void {
      this.video.pause();
    }
    load(): void {
      this.startIfReady();
    }
    get currentTime(): number {
      return this.video.currentTime;
    }
    set currentTime(value: number) {
      this.video.currentTime = value;
    }
    get paused(): boolean {
      return this.video.paused;
    }
    get muted(): boolean {
      return this.video.muted;
    }
    set muted(value: boolean) {
      this.video.muted = value;
    }
    get volume(): number {
      return this.video.volume;
    }
    set volume(value: number) {
      this.video.volume = value;
    }
    get playbackRate(): number {
      return this.video.playbackRate;
    }
    set playbackRate(value: number) {
      this.video.playbackRate = value;
    }
    get duration(): number {
      return this.video.duration;
    }
    get buffered(): TimeRanges {
      return this.video.buffered;
    }
    get seekable(): TimeRanges {
      return this.video.seekable;
    }
    get readyState(): number {
      return this.video.readyState;
    }
    get networkState(): number {
      return this.video.networkState;
    }
    get ended(): boolean {
      return this.video.ended;
    }
    get error(): MediaError | null {
      return this.video.error;
    }
    get videoWidth(): number {
      return this.video.videoWidth;
    }
    get videoHeight(): number {
      return this.video.videoHeight;
    }
    get textTracks(): TextTrackList {
      return this.video.textTracks;
    }
    get played(): TimeRanges {
      return this.video.played;
    }
    requestPictureInPicture(): Promise<PictureInPictureWindow> {
      return this.video.requestPictureInPicture();
    }
    getVideoPlaybackQuality(): VideoPlaybackQuality {
      return this.video.getVideoPlaybackQuality();
    }

    private syncFlags(): void {
      this.video.muted = this.hasAttribute('muted');
      this.video.defaultMuted = this.hasAttribute('muted');
      this.video.controls = this.hasAttribute('controls');
      this.video.autoplay = false; // the player starts playback once data is attached
      const poster = this.getAttribute('poster');
      if (poster) this.video.poster = poster;
      else this.video.removeAttribute('poster');
    }

    private startIfReady(): void {
      const src = this.src;
      const bridge = this.bridge;
      if (!src || !bridge) return;
      const token = this.getAttribute('token');
      this.player.load(src, { bridge, ...(token ? { token } : {}) });
    }
  }

  customElements.define(tagName, RtmpPlayerElementImpl);
  return RtmpPlayerElementImpl;
}
