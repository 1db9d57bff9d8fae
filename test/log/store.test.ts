/**
 * The store contract: every test runs against both backends (SQLite and PostgreSQL), through the
 * one LogStore interface. Under CI=true the server backend always runs (test/pg-setup.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "../../src/log/canonical.js";
import { classifyMatch } from "../../src/workflow/match.js";
import type { LogStore } from "../../src/log/store.js";
import type { ListFilters } from "../../src/log/types.js";
import { verifyLog } from "../../src/log/verify.js";
import { BACKENDS, type TestLog } from "./backends.js";
import { collect, RULE_SET_CONTENT, RULE_SET_SHA, sampleDecision } from "./helpers.js";

const by = { actor: "ada", ruleSetContent: RULE_SET_CONTENT };
const nfa = { id: "nfa", level: 1, label: "No further action" };

describe.each(BACKENDS)("the $name store", (backend) => {
  if (backend.unavailable !== undefined && process.env.CI === "true") throw new Error(`${backend.name}: ${backend.unavailable}`);
  const test = it.skipIf(backend.unavailable !== undefined);
  const logs: TestLog[] = [];
  const fresh = async (): Promise<TestLog> => {
    const log = await backend.open();
    logs.push(log);
    return log;
  };
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((l) => l.close()));
  });

  describe("recordDecision", () => {
    test("allocates TRG-<year decided>-<6 digits>, counting per year", async () => {
      const { store } = await fresh();
      const refs = [
        await store.recordDecision(sampleDecision({ decidedAt: "2026-12-31T23:30:00+00:00" }), by),
        await store.recordDecision(sampleDecision({ decidedAt: "2026-12-31T23:45:00+00:00" }), by),
        // Local new year's day, still 2026 in UTC: the year as written counts.
        await store.recordDecision(sampleDecision({ decidedAt: "2027-01-01T00:30:00+01:00" }), by),
        await store.recordDecision(sampleDecision({ decidedAt: "2026-06-01T09:00:00+01:00" }), by),
      ];
      expect(refs).toEqual(["TRG-2026-000001", "TRG-2026-000002", "TRG-2027-000001", "TRG-2026-000003"]);
    });

    test("stores the decision with its ref, registers the rule set once, and indexes it", async () => {
      const { store } = await fresh();
      const decision = sampleDecision({ name: "Mira Vale", dob: "2021-05-04", childRef: "lc 1234", postcode: "zz9 9zz" });
      const ref = await store.recordDecision(decision, by);
      const second = await store.recordDecision(sampleDecision(), by);
      expect(await store.getDecision(ref)).toEqual({ ...decision, ref });
      expect(await store.getDecision("TRG-1999-000001")).toBeUndefined();
      expect((await collect(store.allEvents())).map((e) => [e.seq, e.kind, e.ref, e.actor])).toEqual([
        [1, "rule_set", null, "ada"],
        [2, "decision", ref, "ada"],
        [3, "decision", second, "ada"],
      ]);
      expect(await store.getRuleSetContent(RULE_SET_SHA)).toEqual(RULE_SET_CONTENT);
      expect(await store.getDecisionRow(ref)).toMatchObject({
        seq: 2,
        ref,
        child_name: "Mira Vale",
        outcome: "early_help",
        worker: "ada",
        decide_by: "2026-03-03T10:15:00+00:00",
        respond_by: "2026-03-12T10:15:00+00:00",
        rule_set_sha256: RULE_SET_SHA,
      });
      expect(await verifyLog(store)).toMatchObject({ ok: true, problems: [], count: 3 });
    });

    test("refuses a rule set whose content does not match its hash, recording nothing", async () => {
      const { store } = await fresh();
      await expect(store.recordDecision(sampleDecision(), { actor: "ada", ruleSetContent: { ...RULE_SET_CONTENT, version: "2" } })).rejects.toThrow(
        /content hashes to/,
      );
      expect((await store.head()).seq).toBe(0);
    });

    test("accepts the rule set as canonical JSON text too", async () => {
      const log = await fresh();
      const lead = await log.as("lead");
      const record = { id: "test-rules", version: "1.0.0", sha256: RULE_SET_SHA };
      expect(await lead.registerRuleSet({ ...record, content: canonicalJson(RULE_SET_CONTENT) }, { actor: "lead", at: "2026-03-01T09:00:00Z" })).toBe(true);
      expect(await lead.registerRuleSet({ ...record, content: RULE_SET_CONTENT }, { actor: "lead", at: "2026-03-01T09:00:00Z" })).toBe(false);
      expect((await log.store.head()).seq).toBe(1);
      expect((await collect(log.store.allEvents()))[0]?.actor).toBe("lead");
    });

    test("deletes the draft in the same transaction: both happen or neither", async () => {
      const log = await fresh();
      const { store } = log;
      const draft = {
        id: "draft-1",
        createdBy: "ada",
        ruleSetSha256: RULE_SET_SHA,
        state: { answers: { child_name: "Mira Vale" } },
        at: "2026-03-02T10:00:00Z",
      };
      await store.saveDraft(draft);
      // Make the last step of recording fail, with a real trigger in the real database.
      await log.breakIndexInserts(true);
      await expect(store.recordDecision(sampleDecision(), { ...by, draftId: "draft-1" })).rejects.toThrow("disk trouble");
      expect(await store.getDraft("draft-1")).toBeDefined();
      expect((await store.head()).seq).toBe(0);
      await log.breakIndexInserts(false);
      const ref = await store.recordDecision(sampleDecision(), { ...by, draftId: "draft-1" });
      expect(await store.getDraft("draft-1")).toBeUndefined();
      expect(await store.getDecision(ref)).toBeDefined();
    });

    test("keeps later entries about a referral with it", async () => {
      const log = await fresh();
      const ref = await log.store.recordDecision(sampleDecision(), by);
      await log.store.append({ kind: "check", ref, actor: "ada", at: "2026-03-02T12:00:00Z", body: { check: "police", found: "nothing recorded" } });
      await (await log.as("maya")).append({ kind: "review", ref, actor: "maya", at: "2026-03-02T13:00:00Z", body: { verdict: "agree" } });
      expect((await log.store.eventsFor(ref)).map((e) => [e.kind, e.actor])).toEqual([
        ["decision", "ada"],
        ["check", "ada"],
        ["review", "maya"],
      ]);
      expect((await log.store.eventsFor(ref))[1]?.body).toEqual({ check: "police", found: "nothing recorded" });
    });

    test("refuses an entry about a referral that is not in the log", async () => {
      const { store } = await fresh();
      await expect(store.append({ kind: "check", ref: "TRG-2026-000009", actor: "ada", at: "2026-03-02T12:00:00Z", body: {} })).rejects.toThrow(
        "there is no referral TRG-2026-000009",
      );
    });

    test("a batch commits everything or nothing", async () => {
      const { store } = await fresh();
      await expect(
        store.batch(async (tx) => {
          await tx.recordDecision(sampleDecision(), by);
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect((await store.head()).seq).toBe(0);
      const ref = await store.batch(async (tx) => {
        const made = await tx.recordDecision(sampleDecision(), by);
        await tx.append({ kind: "check", ref: made, actor: "ada", at: "2026-03-02T12:00:00Z", body: { found: "nothing" } });
        return made;
      });
      expect((await store.eventsFor(ref)).map((e) => e.kind)).toEqual(["decision", "check"]);
    });
  });

  describe("listDecisions", () => {
    async function seeded(): Promise<{ store: LogStore; log: TestLog }> {
      const log = await fresh();
      const { store } = log;
      await store.batch(async (tx) => {
        await tx.recordDecision(sampleDecision({ name: "Ada Lune", receivedAt: "2026-03-01T09:00:00+00:00" }), by);
        await tx.recordDecision(sampleDecision({ name: "Bo Tarn", receivedAt: "2026-03-03T09:00:00+00:00", outcome: nfa }), by);
      });
      // 09:30 BST is 08:30 UTC, so this was received before Bo's referral despite the later clock time.
      await (await log.as("ben")).recordDecision(sampleDecision({ name: "Cy Dorr", receivedAt: "2026-03-03T09:30:00+01:00" }), { ...by, actor: "ben" });
      await store.recordDecision(sampleDecision({ name: "Di 100%_Ok", childRef: "LC-77", receivedAt: "2026-03-05T09:00:00+00:00", outcome: nfa }), by);
      return { store, log };
    }

    test("lists newest received first, by instant not by text", async () => {
      const { store } = await seeded();
      expect((await store.listDecisions({ limit: 10 })).map((r) => r.child_name)).toEqual(["Di 100%_Ok", "Bo Tarn", "Cy Dorr", "Ada Lune"]);
      expect(await store.listDecisions({ limit: 2 })).toHaveLength(2);
    });

    test.each([
      [{ outcome: "nfa" }, ["Di 100%_Ok", "Bo Tarn"]],
      [{ since: "2026-03-03T00:00:00+00:00", until: "2026-03-04T00:00:00+00:00" }, ["Bo Tarn", "Cy Dorr"]],
      [{ outcome: "early_help", since: "2026-03-02T00:00:00Z" }, ["Cy Dorr"]],
      [{ worker: "ben" }, ["Cy Dorr"]],
      [{ child: "tarn" }, ["Bo Tarn"]],
      [{ child: "LC-77" }, ["Di 100%_Ok"]],
      [{ child: "TRG-2026-000001" }, ["Ada Lune"]],
      [{ child: "%" }, []],
    ])("filters %j", async (filters, names) => {
      const { store } = await seeded();
      expect((await store.listDecisions({ ...filters, limit: 50 })).map((r) => r.child_name)).toEqual(names);
    });

    test("pages with offset", async () => {
      const { store } = await seeded();
      expect((await store.listDecisions({ limit: 2, offset: 1 })).map((r) => r.child_name)).toEqual(["Bo Tarn", "Cy Dorr"]);
      expect(await store.listDecisions({ limit: 2, offset: 4 })).toEqual([]);
    });

    test("narrows by derived state as a superset: outcome may have changed, reviewed, pending", async () => {
      const { store, log } = await seeded();
      const [di, bo, cy, ada] = (await store.listDecisions({ limit: 10 })).map((r) => r.ref) as [string, string, string, string];
      const at = "2026-03-06T09:00:00Z";
      const ben = await log.as("ben");
      const maya = await log.as("maya");
      await ben.append({
        kind: "override",
        ref: cy,
        actor: "ben",
        at,
        body: { from: "early_help", to: "nfa", direction: "down", reason: "fictional", pending: true },
      });
      await maya.append({ kind: "review", ref: ada, actor: "maya", at, body: { action: "agree", of: "decision", role: "manager" } });
      await maya.append({ kind: "review", ref: bo, actor: "maya", at, body: { action: "challenge", of: "decision", role: "manager", reason: "fictional" } });
      const refs = async (filters: Omit<ListFilters, "limit">): Promise<string[]> => (await store.listDecisions({ ...filters, limit: 10 })).map((r) => r.ref);
      // Cy was recorded as early help but may now be "nfa" (a downgrade is pending); Ada was reviewed.
      expect(await refs({ outcome: "nfa" })).toEqual([di, bo, cy, ada]);
      expect(await refs({ recordedOutcome: "nfa" })).toEqual([di, bo]);
      // A challenge is not a review that counts (workflow/state.ts).
      expect(await refs({ unreviewed: true })).toEqual([di, bo, cy]);
      expect(await refs({ pending: true })).toEqual([cy]);
    });

    test("says what is wrong with a bad date or limit", async () => {
      const { store } = await seeded();
      await expect(store.listDecisions({ since: "last tuesday", limit: 5 })).rejects.toThrow('--since: "last tuesday" is not a date-time');
      await expect(store.listDecisions({ limit: 0 })).rejects.toThrow("--limit");
    });
  });

  describe("findCandidates", () => {
    // Noor shares only the postcode: fetched by the prefilter, then rejected by classifyMatch.
    test("prefilters by reference, date of birth, postcode and name sound; classify decides", async () => {
      const { store } = await fresh();
      const earlier = [
        await store.recordDecision(sampleDecision({ name: "Star Hobson", dob: "2025-03-02", postcode: "ZZ1 1ZZ" }), by),
        await store.recordDecision(sampleDecision({ name: "Kit Marlowe", dob: "2019-07-07", childRef: "LC-1" }), by),
        await store.recordDecision(sampleDecision({ name: "Noor Quill", dob: "2018-01-01", postcode: "zz11zz" }), by),
        await store.recordDecision(sampleDecision({ name: "Starr Hobsen", dob: "unknown" }), by),
        await store.recordDecision(sampleDecision({ name: "Unrelated Child", dob: "2010-10-10" }), by),
      ];
      const current = { name: "Star Hobsen", dob: "2025-03-02", postcode: "ZZ1 1ZZ", ref: "lc-1" };
      const found = await store.findCandidates(current);
      expect(found.map((c) => c.ref).sort()).toEqual(earlier.slice(0, 4).sort());
      const kinds = Object.fromEntries(found.map((c) => [c.ref, classifyMatch(current, c.identity).kind]));
      expect(kinds).toEqual({
        [earlier[0] as string]: "possible",
        [earlier[1] as string]: "exact",
        [earlier[2] as string]: "none",
        [earlier[3] as string]: "possible",
      });
      expect((await store.findCandidates(current, { excludeRef: earlier[0] as string })).map((c) => c.ref)).not.toContain(earlier[0]);
      expect(await store.findCandidates({ name: "unknown" })).toEqual([]);
    });
  });

  describe("drafts", () => {
    test("are upserted, listed newest first and deleted", async () => {
      const log = await fresh();
      const { store } = log;
      const ben = await log.as("ben");
      await store.saveDraft({ id: "d1", createdBy: "ada", ruleSetSha256: RULE_SET_SHA, state: { step: 1 }, at: "2026-03-02T10:00:00Z" });
      await ben.saveDraft({ id: "d2", createdBy: "ben", ruleSetSha256: RULE_SET_SHA, state: { step: 1 }, at: "2026-03-02T10:05:00Z" });
      await store.saveDraft({ id: "d1", createdBy: "ada", ruleSetSha256: RULE_SET_SHA, state: { step: 2, answers: { a: ["x"] } }, at: "2026-03-02T10:10:00Z" });
      expect(await store.getDraft("d1")).toEqual({
        id: "d1",
        createdBy: "ada",
        createdAt: "2026-03-02T10:00:00Z",
        updatedAt: "2026-03-02T10:10:00Z",
        ruleSetSha256: RULE_SET_SHA,
        state: { step: 2, answers: { a: ["x"] } },
      });
      expect((await ben.listDrafts("ben")).map((d) => d.id)).toEqual(["d2"]);
      expect((await store.listDrafts("ada")).map((d) => d.id)).toEqual(["d1"]);
      expect(await store.deleteDraft("d1")).toBe(true);
      expect(await store.deleteDraft("d1")).toBe(false);
      expect(await store.getDraft("d1")).toBeUndefined();
      expect((await store.head()).seq).toBe(0); // drafts are not part of the chain
    });
  });

  describe("a read-only store", () => {
    test("reads but never writes", async () => {
      const log = await fresh();
      const ref = await log.store.recordDecision(sampleDecision(), by);
      await log.store.close();
      const reader = await log.reopen({ readonly: true });
      expect((await reader.getDecision(ref))?.ref).toBe(ref);
      expect((await verifyLog(reader)).ok).toBe(true);
      await expect(reader.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:00Z", body: {} })).rejects.toThrow("opened read-only");
    });

    test("hashes the same bytes it stored", async () => {
      const log = await fresh();
      // The server computes the hash itself: its JSON escaping of the entry's fields must be chain.ts's.
      await log.store.append({ kind: "anchor", actor: "ada", at: 't "\\ \u0001\u001f é \u2028 \u007f 😀', body: { x: "é", "\u2028": 'a\u0001"\\b\n' } });
      const [stored] = await log.storedBodies();
      expect(stored).toBe(canonicalJson({ x: "é", "\u2028": 'a\u0001"\\b\n' }));
      expect(sha256Hex(stored!)).toBe(sha256Hex(canonicalJson({ x: "é", "\u2028": 'a\u0001"\\b\n' })));
      expect((await verifyLog(log.store)).ok).toBe(true);
    });
  });

  describe("the decisions index (what history lookups and log list read)", () => {
    // Issue 10: an index row changed behind the triggers' back (drop or disable, update, put back)
    // breaks no hash, but hides a child's history from the next referral. Default verify catches it.
    for (const [column, value] of [
      ["child_name", "Mara Vole"],
      ["child_name_norm", "mara vole"],
      ["name_key", "X000"],
      ["child_dob", "2019-12-31"],
      ["postcode_norm", "AA11AA"],
      ["child_ref", null],
      ["outcome", "nfa"],
      ["received_utc", "2020-01-01T00:00:00.000Z"],
    ] as const)
      test(`default verify finds ${column} changed in an index row, with the triggers put back`, async () => {
        const log = await fresh();
        const ref = await log.store.recordDecision(sampleDecision({ name: "Mira Vale", dob: "2021-05-04", childRef: "LC1234", postcode: "ZZ9 9ZZ" }), by);
        await log.store.recordDecision(sampleDecision({ name: "Ola Brook" }), by);
        expect(await verifyLog(log.store)).toMatchObject({ ok: true, problems: [] });
        await log.tamperIndexRow(ref, column, value);
        const result = await verifyLog(log.store);
        expect(result).toMatchObject({ ok: false, triggersPresent: true, missingTriggers: [] });
        expect(result.firstBroken).toBeUndefined();
        expect(result.problems).toEqual([
          expect.stringMatching(new RegExp(`^decisions index row ${ref} does not match its decision entry 2 \\(.*\\b${column}\\b.*\\)$`)),
        ]);
        // Checked in seq ranges too (SQLite splits a large log across worker threads).
        expect((await verifyLog(log.store, { threads: 3 })).problems).toEqual(result.problems);
      });
  });

  describe("when each entry was really written (recorded_at)", () => {
    /** A machine clock that reads each of `times` in turn (the last one after that). */
    const clockOf = (times: string[]) => {
      let i = 0;
      return () => new Date(times[Math.min(i++, times.length - 1)]!);
    };

    test("every entry records the machine's clock inside its hashed body, whatever it is dated; older entries without it still verify", async () => {
      const log = await fresh();
      // Written before recorded_at existed (no clock given): no recorded_at, and valid.
      await log.store.append({ kind: "anchor", actor: "ada", at: "2026-03-01T09:00:00+00:00", body: { old: true } });
      await log.store.close();
      const store = await log.reopen({ clock: clockOf(["2026-11-29T14:02:00Z", "2026-11-29T14:02:01Z", "2026-11-29T14:03:30.250Z"]) });
      // Dated 27 Nov (as --now would), recorded 29 Nov.
      await store.recordDecision(sampleDecision({ decidedAt: "2026-11-27T10:30:00+00:00" }), by);
      await store.append({ kind: "anchor", actor: "ada", at: "2026-11-27T10:31:00+00:00", body: { purpose: "test" } });
      const entries = await collect(store.allEvents());
      expect(entries.map((e) => [e.kind, (e.body as { recorded_at?: string }).recorded_at])).toEqual([
        ["anchor", undefined],
        ["rule_set", "2026-11-29T14:02:00+00:00"],
        ["decision", "2026-11-29T14:02:01+00:00"],
        ["anchor", "2026-11-29T14:03:30.250+00:00"],
      ]);
      // Inside the hash: the chain, as recomputed from the stored bytes, includes it.
      const { hash, ...rest } = entries[2]!;
      expect(hash).toBe(sha256Hex(canonicalJson(rest)));
      expect(await store.getDecision(entries[2]!.ref!)).toMatchObject({ recorded_at: "2026-11-29T14:02:01+00:00", decided_at: "2026-11-27T10:30:00+00:00" });
      expect(await verifyLog(store)).toMatchObject({ ok: true, count: 4, problems: [], clockBackwards: [], clockBackwardsCount: 0 });
    });

    test("verify warns where the clock ran backwards beyond a few minutes' skew, on one thread or across ranges, and stays ok", async () => {
      const log = await fresh();
      await log.store.close();
      const times = [
        "2026-11-29T14:00:00Z",
        "2026-11-29T13:57:00Z", // 3 minutes back: skew, not reported
        "2026-11-29T14:10:00Z",
        "2026-11-27T10:30:00Z", // set back two days to back-date: reported
        "2026-11-29T14:12:00Z",
        "2026-11-29T14:13:00Z",
        "2026-11-29T09:00:00+01:00", // 08:00 UTC (stored as UTC), six hours back: reported
        "2026-11-29T14:20:00Z",
      ];
      const store = await log.reopen({ clock: clockOf(times) });
      for (let i = 0; i < times.length; i++) await store.append({ kind: "anchor", actor: "ada", at: "2026-11-27T10:30:00+00:00", body: { i } });
      const expected = {
        ok: true,
        problems: [],
        clockBackwardsCount: 2,
        clockBackwards: [
          { seq: 4, recorded_at: "2026-11-27T10:30:00+00:00", previous_seq: 3, previous_recorded_at: "2026-11-29T14:10:00+00:00" },
          { seq: 7, recorded_at: "2026-11-29T08:00:00+00:00", previous_seq: 6, previous_recorded_at: "2026-11-29T14:13:00+00:00" },
        ],
      };
      expect(await verifyLog(store)).toMatchObject(expected);
      // In ranges (the SQLite log splits a large log; here forced), a jump at a range's edge is still seen.
      for (const threads of [2, 3, 4, 8]) expect(await verifyLog(store, { threads })).toMatchObject(expected);
    });
  });

  describe("the chain", () => {
    test("links each entry to the one before and verifies; an anchor matches", async () => {
      const { store } = await fresh();
      for (let i = 1; i <= 3; i++)
        await store.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:00+00:00", body: { i, actor: 'O\'Brien "quoted"' } });
      const entries = await collect(store.allEvents());
      expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(entries[1]?.prev_hash).toBe(entries[0]?.hash);
      const { hash, ...rest } = entries[0]!;
      expect(hash).toBe(sha256Hex(canonicalJson(rest)));
      const head = await store.head();
      expect(head).toEqual({ seq: 3, hash: entries[2]?.hash });
      expect(await verifyLog(store, { anchor: { seq: 2, hash: entries[1]!.hash } })).toMatchObject({
        ok: true,
        head,
        anchor: { matches: true, reason: "entry 2 matches the anchor (1 entry added since)" },
      });
      expect((await verifyLog(store, { anchor: { seq: 2, hash: "0".repeat(64) } })).ok).toBe(false);
      // Any entry's stored hash by number (entry 1's names the log in an anchor folder); none past the head.
      expect(await store.hashAt(1)).toBe(entries[0]!.hash);
      expect(await store.hashAt(3)).toBe(entries[2]!.hash);
      expect(await store.hashAt(4)).toBeUndefined();
    });
  });
});
