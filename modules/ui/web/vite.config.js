// Builds the UI into the module's classes folder, where the jar plugin picks it up:
// io/tribune/ui/static is not a legal Java package name ("static" is a keyword), so under JPMS the
// files are plain resources of the io.tribune.ui module, not an encapsulated package.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/ui/',
  // `npx vite` (development only): live reload at http://localhost:5173/ui/ against a local agent.
  server: { proxy: { '/v1': 'http://127.0.0.1:8500' } },
  build: {
    outDir: '../target/classes/io/tribune/ui/static',
    emptyOutDir: true,
    // One small script and one stylesheet; no source maps in the agent's jar.
    sourcemap: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
