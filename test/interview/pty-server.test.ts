/**
 * The guided interview on the server log, in a real pseudo-terminal (tmux): a worker logged in as
 * their own database user starts `triage new`, stops half-way, and the draft is kept on the server,
 * theirs alone; `triage resume` continues it where they stopped.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { IN_CI } from "../helpers/ci.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { describeServer, freshDatabase, loginRole, urlFor } from "../helpers/pg.js";
import { HAVE_TMUX, Pane } from "../helpers/tmux.js";

const NOW = "2026-11-27T10:30";

describeServer("the interview on the server log (tmux)", () => {
  if (!HAVE_TMUX && !IN_CI) return; // outside CI a machine without tmux skips; under CI=true the pane fails
  const box = sandbox();
  const panes: Pane[] = [];
  let database = "";
  const envAs = (user: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: urlFor(database, user) };
    delete env.TRIAGE_USER; // on the server you are the database user you log in as
    return env;
  };
  const start = (user: string, args: string[]) => {
    const pane = Pane.start(["--now", NOW, ...args], envAs(user));
    panes.push(pane);
    return pane;
  };

  beforeAll(async () => {
    database = await freshDatabase("interview");
    const owner: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: urlFor(database) };
    delete owner.TRIAGE_USER;
    const init = runCli(["admin", "init"], { env: owner });
    if (init.code !== 0) throw new Error(init.stderr);
    await loginRole("pty_worker", ["triage_worker"]);
    await loginRole("pty_other", ["triage_worker"]);
  });
  afterEach(() => {
    for (const pane of panes.splice(0)) pane.kill();
  });
  afterAll(() => box.cleanup());

  it("Ctrl-C keeps the draft on the server, for that login alone; resume continues it", async () => {
    const t = start("pty_worker", ["new"]);
    await t.waitFor("? What is the child's name?");
    t.type("Rowan Example");
    t.keys("Enter");
    await t.waitFor("? Child's date of birth");
    t.keys("C-c");
    const stopped = await t.waitFor(/Draft (D[A-Z0-9]+) saved; continue with: node bin\/triage resume (D[A-Z0-9]+)\n\[exit 130\]/);
    const id = stopped[1]!;

    const mine = runCli(["--json", "resume"], { env: envAs("pty_worker") });
    expect(mine.code, mine.stderr).toBe(0);
    expect(JSON.parse(mine.stdout)).toMatchObject([{ id, child: "Rowan Example" }]);
    const theirs = runCli(["--json", "resume"], { env: envAs("pty_other") });
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(JSON.parse(theirs.stdout)).toEqual([]);

    const r = start("pty_worker", ["resume", id]);
    await r.waitFor("? Child's date of birth");
    expect(r.text()).toContain(`Continuing draft ${id} (Rowan Example), started by pty_worker`);
    expect(r.text()).not.toContain("? What is the child's name?");
  });
});
