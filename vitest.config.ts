import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    restoreMocks: true,
    // One temporary folder per run for everything the tests write, removed at the end.
    globalSetup: ["tests/helpers/temp-root.ts"],
  },
});
