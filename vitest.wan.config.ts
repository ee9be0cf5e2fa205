// The slow WAN tests alone (a large HQ catalog, ~20 s of throttled download): `npm run test:wan`; `npm test` runs them too.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/wan/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
