// The <rtmp-player> custom element inside media-chrome's <media-controller>: media-chrome drives
// it through the HTMLMediaElement API it delegates to its inner <video>.
import 'media-chrome';
import '@rtmp-web/player/element';
import type { RtmpPlayerElement } from '@rtmp-web/player';

declare global {
  interface Window {
    __rtmpElement?: RtmpPlayerElement;
  }
}

const params = new URLSearchParams(location.search);
const element = document.querySelector('rtmp-player') as RtmpPlayerElement;
window.__rtmpElement = element;
const stateLine = document.querySelector('#state')!;
element.addEventListener('rtmpstate', (event) => {
  stateLine.textContent = (event as CustomEvent<{ to: string }>).detail.to;
});
const bridge = params.get('bridge') ?? `ws://${location.hostname || '127.0.0.1'}:8080/`;
element.setAttribute('bridge', bridge);
element.setAttribute('src', params.get('src') ?? 'rtmp://127.0.0.1:19350/live/demo');
