import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

// A plain Vite app: `pnpm start` (packages/cli/src/demo) serves this folder with Vite's
// createServer({ root: 'apps/demo' }); `vite build` makes a static copy.
export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  // mpegts.js is a UMD bundle loaded with a dynamic import: pre-bundle it up front so the dev
  // server does not discover it at run time and reload the page in the middle of playback.
  optimizeDeps: { include: ['@rtmp-web/player > mpegts.js'] },
  build: {
    target: 'es2022',
    sourcemap: true,
    // Two pages: the player/inspector app, and <rtmp-player> inside media-chrome's controls.
    rolldownOptions: { input: { main: page('index.html'), element: page('element.html') } },
  },
});
