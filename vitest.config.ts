import { defineConfig } from "vitest/config";

// .ci/run asks for a JSON report too, to count the tests that ran against the floor in .ci/min-tests.
const report = process.env.TRIAGE_TEST_REPORT;

export default defineConfig({
  test: {
    ...(report ? { reporters: ["default", "json"], outputFile: { json: report } } : {}),
    include: ["test/**/*.test.ts"],
    // End-to-end tests spawn the built binary: build once before any test runs.
    globalSetup: ["test/global-setup.ts", "test/pg-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    restoreMocks: true,
  },
});
