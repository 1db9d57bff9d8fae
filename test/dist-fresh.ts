import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * True when dist/ was built after every source file last changed, so the test run can skip its own
 * build (tsc rewrites every output on each build, so the newest output is the last build's time;
 * the oldest may be a stale output of a moved module).
 * Any doubt — no dist, an unreadable file, CI — answers false and the build runs.
 */
export function distIsFresh(root: string): boolean {
  if (process.env.CI === "true") return false;
  try {
    const newestSource = Math.max(
      newestFile(join(root, "src"), ".ts"),
      ...["tsconfig.json", "tsconfig.build.json", "package.json"].map((f) => statSync(join(root, f)).mtimeMs),
    );
    const lastBuild = newestFile(join(root, "dist"), ".js");
    return Number.isFinite(lastBuild) && lastBuild > newestSource;
  } catch {
    return false;
  }
}

/** The latest modification time of the files ending in `ext` below `dir` (-Infinity if none). */
function newestFile(dir: string, ext: string): number {
  let result = -Infinity;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) result = Math.max(result, newestFile(path, ext));
    else if (entry.name.endsWith(ext)) result = Math.max(result, statSync(path).mtimeMs);
  }
  return result;
}
