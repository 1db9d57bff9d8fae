/**
 * When an entry was really written (issue 10, "Time is checked, not trusted"): --now / TRIAGE_NOW
 * still dates entries, but each also records the machine's real clock (recorded_at) inside its
 * hashed body; `log show` shows a back-dated entry, and `log verify` warns where recorded_at runs
 * backwards (a clock set back to back-date an entry).
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openLog } from "../../src/log/open.js";
import { runCli, sandbox } from "../helpers/cli.js";

const FIXTURE = "fixtures/referrals/02-early-help-health-visitor-parental-low-mood.yaml";

describe("recorded_at: the machine's clock beside the date an entry claims", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());

  it("a decision dated by TRIAGE_NOW two days back records the real time, and log show says it was back-dated", () => {
    const db = join(box.dir, "backdated.db");
    const env = { ...box.env, TRIAGE_DB: db };
    const before = Date.now();
    const recorded = runCli(["new", "--answers", FIXTURE, "--json"], { env: { ...env, TRIAGE_NOW: "2026-03-13T10:30" } });
    const after = Date.now();
    expect(recorded.code, recorded.stderr).toBe(0);
    const ref = JSON.parse(recorded.stdout).ref as string;

    const shown = JSON.parse(runCli(["log", "show", ref, "--json"], { env }).stdout);
    const decision = shown.entries.find((e: { kind: string }) => e.kind === "decision");
    expect(decision.at).toBe("2026-03-13T10:30:00+00:00");
    const recordedAt = Date.parse(decision.body.recorded_at);
    expect(decision.body.recorded_at).toMatch(/\+00:00$/);
    expect(recordedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(recordedAt).toBeLessThanOrEqual(after + 1000);
    expect(shown.dated_away_from_recorded).toContainEqual({ seq: decision.seq, at: decision.at, recorded_at: decision.body.recorded_at });

    const text = runCli(["log", "show", ref], { env }).stdout;
    expect(text).toMatch(
      new RegExp(
        `#${decision.seq} Fri 13 Mar 2026 10:30 worker\\.one[^\\n]*: decision recorded\\n\\s+back-dated: recorded \\w{3} \\d{1,2} \\w{3} \\d{4} \\d{2}:\\d{2}, dated Fri 13 Mar 2026 10:30`,
      ),
    );
    // In the hash: the chain verifies, and the decision is still reproduced exactly.
    expect(JSON.parse(runCli(["log", "verify", "--json"], { env }).stdout)).toMatchObject({ ok: true, clockBackwardsCount: 0 });
    const explained = runCli(["rules", "explain", "--ref", ref], { env });
    expect(explained.code, explained.stdout).toBe(0);
    expect(explained.stdout).toContain(`${ref} reproduced exactly`);
  });

  it("an entry dated when it was written is not marked", () => {
    const db = join(box.dir, "ontime.db");
    const env = { ...box.env, TRIAGE_DB: db };
    const recorded = runCli(["new", "--answers", FIXTURE, "--json"], { env: { ...env, TRIAGE_NOW: new Date().toISOString() } });
    expect(recorded.code, recorded.stderr).toBe(0);
    const ref = JSON.parse(recorded.stdout).ref as string;
    expect(JSON.parse(runCli(["log", "show", ref, "--json"], { env }).stdout).dated_away_from_recorded).toEqual([]);
    expect(runCli(["log", "show", ref], { env }).stdout).not.toMatch(/back-dated|recorded \w{3} \d/);
  });

  it("log verify warns (exit 0) where the writing machine's clock ran backwards, naming the entries", async () => {
    const db = join(box.dir, "clock.db");
    // Written by a machine whose clock was set back two days between the second and third entry.
    const times = ["2026-11-29T14:00:00Z", "2026-11-29T14:05:00Z", "2026-11-27T10:30:00Z", "2026-11-29T14:06:00Z"];
    let i = 0;
    const store = openLog(db, { clock: () => new Date(times[i++]!) });
    for (let n = 0; n < times.length; n++) await store.append({ kind: "anchor", actor: "ada", at: "2026-11-27T10:30:00+00:00", body: { n } });
    await store.close();
    const env = { ...box.env, TRIAGE_DB: db };
    const text = runCli(["log", "verify"], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("Log intact: 4 entries");
    expect(text.stdout).toContain("warning: the clock ran backwards at 1 entry");
    expect(text.stdout).toContain("#3 recorded 2026-11-27T10:30:00+00:00, after #2 recorded 2026-11-29T14:05:00+00:00");
    const json = runCli(["log", "verify", "--json"], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      clockBackwardsCount: 1,
      clockBackwards: [{ seq: 3, recorded_at: "2026-11-27T10:30:00+00:00", previous_seq: 2, previous_recorded_at: "2026-11-29T14:05:00+00:00" }],
    });
  });
});
