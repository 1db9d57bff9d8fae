import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { distIsFresh } from "./dist-fresh.js";

/** Builds dist/ so end-to-end tests run the real binary as users do. */
export default function setup(): void {
  // For a quick local loop after building yourself: TRIAGE_TEST_NO_BUILD=1 npx vitest run …
  if (process.env.TRIAGE_TEST_NO_BUILD === "1") return;
  const root = fileURLToPath(new URL("..", import.meta.url));
  // Skip a second build when `npm run build` already built these sources (saves a tsc run per test run).
  if (distIsFresh(root)) return;
  const tsc = spawnSync(process.execPath, [fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url)), "-p", "tsconfig.build.json"], {
    cwd: root,
    encoding: "utf8",
  });
  if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
}
