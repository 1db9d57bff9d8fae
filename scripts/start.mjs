#!/usr/bin/env node
/**
 * `npm start [-- COMMAND …]`: the guided interview (or any triage command) on a fresh clone or a
 * warm one. Installs only when node_modules is missing or older than package-lock.json, builds only
 * when a source file is newer than the build, then runs triage in this same process (so Ctrl-C,
 * the terminal and the exit code are triage's own). A second run touches neither npm nor the registry.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const at = (...p) => join(root, ...p);
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : undefined);

/** The newest modification time under a folder (files only). */
function newest(dir) {
  let max = 0;
  if (!existsSync(dir)) return max;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

function run(command, args, what) {
  process.stderr.write(`npm start: ${what}…\n`);
  const r = spawnSync(command, args, { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) {
    process.stderr.write(`npm start: ${what} failed (exit ${r.status ?? r.signal}).\n`);
    process.exit(r.status ?? 1);
  }
}

/**
 * What a start needs in this folder: an install when node_modules is missing, or older than
 * package-lock.json and not already installed from the same lock content (the stamp our own install
 * writes); a build when dist/ is missing or a source is newer. Reads only: tested in a scratch folder.
 */
export function startPlan(dir) {
  const p = (...parts) => join(dir, ...parts);
  const lockFile = p("package-lock.json");
  const lockHash = existsSync(lockFile) ? createHash("sha256").update(readFileSync(lockFile)).digest("hex") : "";
  // npm writes node_modules/.package-lock.json on every install: its age is the install's age.
  const installed = mtime(p("node_modules", ".package-lock.json"));
  const lock = mtime(lockFile);
  const stale = installed === undefined || (lock !== undefined && installed < lock);
  const stamp = p("node_modules", ".triage-installed-lock");
  const sameContent = existsSync(stamp) && readFileSync(stamp, "utf8").trim() === lockHash;
  const install = installed === undefined || (stale && !sameContent);
  const built = mtime(p("dist", "cli", "main.js"));
  const sources = Math.max(newest(p("src")), mtime(p("tsconfig.json")) ?? 0, mtime(p("tsconfig.build.json")) ?? 0, lock ?? 0);
  return { install, build: install || built === undefined || sources > built, lockHash, stamp };
}

const direct = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (direct) await start();

async function start() {
  const plan = startPlan(root);
  if (plan.install) {
    run("npm", ["ci"], "installing dependencies from package-lock.json");
    writeFileSync(plan.stamp, `${plan.lockHash}\n`);
  }
  if (plan.build) run("npm", ["run", "build"], "building");

  // Messages that name a command (e.g. "continue with: …resume D5E9VED3") name this way of running it.
  process.env.TRIAGE_INVOKED_AS ??= "npm start --";
  const args = process.argv.slice(2);
  process.argv = [process.argv[0], at("bin", "triage"), ...(args.length > 0 ? args : ["new"])];
  await import(at("dist", "cli", "main.js"));
}
