import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

// A plain Vite app: `pnpm start` (packages/cli/src/demo) serves this folder with Vite's
// createServer({ root: 'apps/demo' }); `vite build` makes a static copy.
export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  // The player loads mpegts.js's demuxer, remuxer and MSE controller (default sink), or its whole
  // UMD bundle (`?sink=mpegts-player`), with dynamic imports: pre-bundle them up front so the dev
  // server does not discover them at run time and reload the page in the middle of playback.
  optimizeDeps: {
    include: [
      '@rtmp-web/player > mpegts.js/src/demux/flv-demuxer.js',
      '@rtmp-web/player > mpegts.js/src/remux/mp4-remuxer.js',
      '@rtmp-web/player > mpegts.js/src/core/mse-controller.js',
      '@rtmp-web/player > mpegts.js/src/utils/logger.js',
      '@rtmp-web/player > mpegts.js',
    ],
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    // Two pages: the player/inspector app, and <rtmp-player> inside media-chrome's controls.
    rolldownOptions: { input: { main: page('index.html'), element: page('element.html') } },
  },
});
