/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The opsdesk binary serves dist/ itself (hashed assets cached immutably, SPA
// fallback to index.html), so the build must not reference anything off-site.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // Inline scripts would need 'unsafe-inline' under our CSP.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // A guard against hangs, not a speed check: form tests that type into many
    // fields take seconds on a busy 2-core CI machine (5 s, the default, was hit).
    testTimeout: 30_000,
  },
});
