// Reads vitest's JSON report and fails when fewer tests ran than the floor kept in .ci/min-tests,
// or when any test was skipped: under CI a test that cannot run must fail, not vanish.
// Usage: node .ci/count-tests.mjs REPORT.json .ci/min-tests
import { readFileSync } from "node:fs";

const [reportFile, floorFile] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(reportFile, "utf8"));
} catch (error) {
  console.error(`test count: no vitest JSON report at ${reportFile} (${error.message})`);
  process.exit(1);
}
const floorText = readFileSync(floorFile, "utf8")
  .split("\n")
  .map((l) => l.replace(/#.*/, "").trim())
  .find((l) => l !== "");
const floor = Number(floorText);
if (!Number.isSafeInteger(floor) || floor <= 0) {
  console.error(`test count: ${floorFile} must hold a whole number, not "${floorText}"`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const executed = passed + failed;
console.log(`tests: ${executed} executed (${passed} passed, ${failed} failed), ${skipped} skipped; floor ${floor} (${floorFile})`);
const problems = [];
if (executed < floor) problems.push(`${floor - executed} fewer tests ran than the floor: a test file, a describe block or generated cases disappeared`);
if (skipped > 0) problems.push(`${skipped} test(s) skipped: under CI a missing tool or file must fail, not skip`);
if (failed > 0) problems.push(`${failed} test(s) failed`);
if (problems.length > 0) {
  for (const p of problems) console.error(`test count: ${p}`);
  process.exit(1);
}
if (executed > floor) console.log(`(raise ${floorFile} to ${executed} when these tests are meant to stay)`);
