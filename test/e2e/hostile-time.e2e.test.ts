/**
 * Time is checked, not trusted (issue 10): a referral received in the future is refused; one
 * received more than 7 days before it is decided carries a warning; nothing happens to a referral
 * before it was received; a local time inside a spring-forward gap is refused, not moved.
 * The spawned binary over a real SQLite log; the shipped rules' zone is Europe/London.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli, sandbox } from "../helpers/cli.js";

const fixture = parse(readFileSync("fixtures/referrals/51-malicious-closure-ex-partner-no-checks-guard-holds.yaml", "utf8"));

describe("time is checked, not trusted", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());
  const env = { ...box.env, TRIAGE_DB: join(box.dir, "log.db") };
  const cli = (args: string[]) => runCli(args, { env });
  const answers = (receivedAt: string) => {
    const file = join(box.dir, `a-${receivedAt.replace(/\W/g, "")}.json`);
    writeFileSync(file, JSON.stringify({ ...fixture.answers, received_at: receivedAt }));
    return file;
  };

  it("a received_at in the future beyond clock skew is refused (exit 2) naming the field; a few minutes is skew", () => {
    const future = cli(["new", "--answers", answers("2026-05-27T16:00"), "--now", "2026-05-27T15:00"]);
    expect(future.code).toBe(2);
    expect(future.stderr).toContain("received_at: 2026-05-27T16:00:00+01:00 is in the future");
    expect(cli(["log", "list"]).stdout).toContain("No decisions match"); // nothing was recorded
    expect(cli(["new", "--answers", answers("2026-05-27T15:04"), "--now", "2026-05-27T15:00"]).code).toBe(0);
  });

  it("a referral received more than 7 days before the decision is recorded with a warning on the card", () => {
    const r = cli(["new", "--answers", answers("2026-05-10T09:00"), "--now", "2026-05-27T15:00", "--link", "TRG-2026-000001"]);
    expect(r.code, r.stderr).toBe(0);
    // On the card's first screen, wrapped at the terminal's width.
    const firstScreen = r.stdout.split("\n").slice(0, 24).join(" ").replace(/\s+/g, " ");
    expect(firstScreen).toMatch(/! warning: received_at 2026-05-10T09:00:00\+01:00 is 17 days before this decision was made/);
    const json = JSON.parse(cli(["log", "show", "TRG-2026-000002", "--json"]).stdout);
    expect(json.warnings.some((w: string) => w.includes("a late entry"))).toBe(true);
  });

  it("a check, review, override or closure dated before the referral was received is refused (exit 2)", () => {
    const ref = "TRG-2026-000001"; // received 2026-05-27T15:04
    const early = ["--now", "2026-05-27T15:00"];
    for (const args of [
      ["checks", ref, "--record", "full_history", "--found", "nothing known", ...early],
      ["override", ref, "--to", "strategy_discussion_s47", "--reason", "worse than it looks", ...early],
      ["close", ref, "--as", "referral_considered_malicious", "--rationale", "x", "--evidence", "y", ...early],
      ["review", ref, "--challenge", "--reason", "why?", ...early],
    ]) {
      const r = cli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain("before the referral was received");
    }
    expect(cli(["checks", ref, "--record", "full_history", "--found", "nothing known", "--now", "2026-05-27T16:00"]).code).toBe(0);
  });

  it("a local time inside the spring-forward gap is refused with a clear message, not moved", () => {
    const gap = cli(["new", "--answers", answers("2026-03-29T01:30"), "--now", "2026-03-30T10:00", "--dry-run"]);
    expect(gap.code).toBe(2);
    expect(gap.stderr).toContain("2026-03-29T01:30 does not exist in Europe/London");
    const now = cli(["new", "--answers", answers("2026-03-28T10:00"), "--now", "2026-03-29T01:30", "--dry-run"]);
    expect(now.code).toBe(2);
    expect(now.stderr).toContain("--now: 2026-03-29T01:30 does not exist");
    const at = cli(["checks", "TRG-2026-000001", "--record", "health_checks", "--found", "x", "--at", "2026-03-29T01:30", "--now", "2026-05-28T10:00"]);
    expect(at.code).toBe(2);
    expect(at.stderr).toContain("--at: 2026-03-29T01:30 does not exist");
    // The hour after the gap and the repeated autumn hour exist.
    expect(cli(["new", "--answers", answers("2026-03-29T02:30"), "--now", "2026-03-30T10:00", "--dry-run"]).code).toBe(0);
    expect(cli(["new", "--answers", answers("2026-10-25T01:30"), "--now", "2026-10-26T10:00", "--dry-run"]).code).toBe(0);
  });
});
