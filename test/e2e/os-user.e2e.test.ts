/**
 * A local log file, honestly: `--user` / TRIAGE_USER names who acts, but every entry also records the
 * operating-system account that wrote it inside its hashed body, and `log show` and `stats` point
 * out entries whose named person is not that account.
 */
import { userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";

const OS_USER = userInfo().username;
const FIXTURE = "fixtures/referrals/02-early-help-health-visitor-parental-low-mood.yaml";

describe("who wrote an entry in a local log", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());
  const db = join(box.dir, "log.db");
  const cli = (args: string[], user: string) => runCli(args, { env: { ...box.env, TRIAGE_DB: db, TRIAGE_USER: user } });

  it("records the OS account in every entry's hashed body, and marks entries that name someone else", () => {
    const own = JSON.parse(cli(["new", "--answers", FIXTURE, "--json"], OS_USER).stdout).ref as string;
    const claimed = JSON.parse(cli(["new", "--answers", FIXTURE, "--json"], "mia.manager").stdout).ref as string;

    const mine = JSON.parse(cli(["log", "show", own, "--json"], OS_USER).stdout);
    expect(mine.entries.map((e: { body: { os_user?: string } }) => e.body.os_user)).toEqual([OS_USER]);
    expect(mine.named_not_os_user).toEqual([]);
    expect(cli(["log", "show", own], OS_USER).stdout).not.toContain("[OS user:");

    const theirs = JSON.parse(cli(["log", "show", claimed, "--json"], OS_USER).stdout);
    expect(theirs.named_not_os_user).toEqual([{ seq: theirs.entries[0].seq, actor: "mia.manager", os_user: OS_USER }]);
    expect(cli(["log", "show", claimed], OS_USER).stdout).toMatch(new RegExp(`mia\\.manager \\[OS user: ${OS_USER}\\]: decision recorded`));

    const stats = cli(["stats"], OS_USER);
    expect(stats.stdout).toContain(`1 entry names someone other than the OS user who wrote it`);
    expect(JSON.parse(cli(["stats", "--json"], OS_USER).stdout).named_not_os_user).toBe(1);

    // Inside the hash: the chain verifies, and the decision is still reproduced byte for byte.
    expect(JSON.parse(cli(["log", "verify", "--json"], OS_USER).stdout).ok).toBe(true);
    const explained = cli(["rules", "explain", "--ref", claimed], OS_USER);
    expect(explained.code, explained.stdout).toBe(0);
    expect(explained.stdout).toContain(`${claimed} reproduced exactly`);
  });
});
