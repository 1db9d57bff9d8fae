/**
 * Long output in a terminal goes through the pager ($PAGER, else less -R); --no-pager and a pipe
 * print plainly; output that fits the screen is never paged; a pager that cannot start loses nothing.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { needsPager } from "../../src/cli/pager.js";
import { IN_CI } from "../helpers/ci.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { HAVE_TMUX, Pane } from "../helpers/tmux.js";

const box = sandbox();
afterAll(() => box.cleanup());
const panes: Pane[] = [];
afterEach(() => {
  for (const p of panes.splice(0)) p.kill();
});

const L5 = "fixtures/referrals/06-arthur-like-1-grandmother-calls-edt-with-photos.yaml";
// A pager that marks every line it shows, so the test sees that the text went through it.
const MARKING_PAGER = `PAGER='sed "s/^/paged: /"'`;

describe("needsPager", () => {
  const on = { enabled: true, command: undefined, rows: 24, env: {} };
  it("pages only text longer than the screen, in a terminal, with a pager", () => {
    const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");
    expect(needsPager(long, on)).toBe(true);
    expect(needsPager("short\ntext", on)).toBe(false);
    expect(needsPager(long, { ...on, enabled: false })).toBe(false);
    expect(needsPager(long, { ...on, command: "" })).toBe(false);
  });
});

describe.skipIf(!HAVE_TMUX && !IN_CI)("the pager in a real terminal (tmux, 80×24)", () => {
  const start = (prefix: string, args: string[]) => {
    const p = Pane.start(["new", "--answers", L5, "--dry-run", ...args], box.env, { width: 80, height: 24, prefix });
    panes.push(p);
    return p;
  };

  it("$PAGER gets the card when it is longer than the screen", async () => {
    const t = start(MARKING_PAGER, []);
    await t.waitFor("[exit 0]");
    expect(t.text()).toMatch(/paged: {2}IMMEDIATE PROTECTION/);
  });

  it("--no-pager prints it plainly", async () => {
    const t = start(MARKING_PAGER, ["--no-pager"]);
    await t.waitFor("[exit 0]");
    expect(t.text()).not.toContain("paged:");
    expect(t.text()).toContain("IMMEDIATE PROTECTION");
  });

  it("a pager that cannot be started: the card is printed plainly, nothing lost", async () => {
    const t = start("PAGER=no-such-pager-here", []);
    await t.waitFor("[exit 0]");
    expect(t.text()).toContain("IMMEDIATE PROTECTION");
  });
});

describe("not a terminal", () => {
  it("a pipe gets the plain card, never the pager", () => {
    const r = runCli(["new", "--answers", L5, "--dry-run"], { env: { ...box.env, PAGER: "false" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("IMMEDIATE PROTECTION");
  });
});
