/**
 * `triage review` without a reference in a real terminal (tmux): the manager's queue, a select
 * prompt to pick one, then the action and its reason; the review is recorded in the log.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";
import { repoPath } from "../helpers/rules.js";

const box = sandbox();
const db = join(box.dir, "log.db");
const socket = `triage-desk-${process.pid}`;
afterAll(() => {
  spawnSync("tmux", ["-L", socket, "kill-server"]);
  box.cleanup();
});

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const tmux = (...args: string[]) => spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8", env: box.env }).stdout;
const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "t");
async function waitFor(text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!screen().includes(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; the terminal shows:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("triage review in a terminal: pick one from the queue and review it", () => {
  it("challenges the picked decision with a reason", async () => {
    writeFileSync(join(box.dir, "team.yaml"), "managers: [mia.manager]\n");
    const env = { ...box.env, TRIAGE_DB: db };
    for (const f of ["01-nfa-school-information-request.yaml", "03-m1-bruise-on-3-month-old-health-visitor.yaml"]) {
      const r = runCli(["new", "--answers", repoPath(`fixtures/referrals/${f}`)], { env: { ...env, TRIAGE_USER: "worker.one" } });
      expect(r.code, r.stderr).toBe(0);
    }
    const command = `cd ${q(repoPath("."))} && TRIAGE_DB=${q(db)} TRIAGE_USER=mia.manager NO_COLOR=1 node bin/triage review --now 2026-03-13T09:30; echo "[exit $?]"; sleep 60`;
    tmux("new-session", "-d", "-x", "140", "-y", "40", "-s", "t", command);
    await waitFor("Which one?");
    // Most serious first: the bruised baby (s47) is the first choice; the advice one the second.
    expect(screen()).toContain("Waiting for mia.manager (manager): 2");
    tmux("send-keys", "-t", "t", "Down", "Enter");
    await waitFor("Agree");
    tmux("send-keys", "-t", "t", "Down", "Enter");
    await waitFor("Why?");
    tmux("send-keys", "-t", "t", "-l", "Speak to the school first");
    tmux("send-keys", "-t", "t", "Enter");
    await waitFor("[exit 0]");
    expect(screen()).toContain("challenged the decision on TRG-2026-000001");
    const shown = JSON.parse(runCli(["log", "show", "TRG-2026-000001", "--json"], { env: { ...env, TRIAGE_USER: "mia.manager" } }).stdout);
    const reviews = shown.entries.filter((e: { kind: string }) => e.kind === "review");
    expect(reviews).toHaveLength(1);
    expect(reviews[0].body).toMatchObject({ action: "challenge", of: "decision", reason: "Speak to the school first" });
    expect(readFileSync(join(box.dir, "team.yaml"), "utf8")).toContain("mia.manager");
  }, 60_000);
});
