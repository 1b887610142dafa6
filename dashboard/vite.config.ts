// The dashboard's build: everything bundled into dist/dashboard (no fonts or scripts from elsewhere),
// served by the controller's admin port. `npm run build` runs it after tsc.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    root: here,
    include: ['src/**/*.test.ts'],
  },
});
