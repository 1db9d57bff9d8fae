/**
 * The server log's schema, as numbered migrations (the same rule as SQLite's migrations.ts: never
 * edit a shipped one, add the next number). Everything lives in the schema `triage`; its version is
 * in triage.meta. `triage admin init` (the database owner) applies them and creates the roles.
 *
 * What the database itself enforces, so that a modified client or direct SQL cannot get round it
 * (README.md, "A shared team log"):
 * - the chain: every insert into events takes one advisory lock for the transaction, links to the
 *   head it then reads (seq + 1, prev_hash) and computes the hash itself, with the same definition
 *   as chain.ts — so many writers build one chain with no gaps;
 * - identity: the entry's actor is session_user, set by the trigger (a decision's decided_by and its
 *   index row's worker must be that same person). Only the owner may copy entries verbatim;
 * - authority: kinds listed in triage.kind_roles need one of the listed roles (review: a manager;
 *   rule-set approvals: the rules lead — add rows to extend); the approval rules (approver is not
 *   the decider nor the proposer, one approval per person, "malicious" needs a senior manager);
 * - append-only: no UPDATE, DELETE or TRUNCATE on events, rule_sets, decisions for any triage role,
 *   and triggers refuse them for everyone else too.
 * Refusals use SQLSTATE TRG01 (exit 5 in the client); their text is the client's message.
 */

import { PG_REFUSED } from "./pg-errors.js";

export const PG_SCHEMA = "triage";
/** The value of triage.meta 'application': tells a triage schema from anyone else's. */
export const PG_APPLICATION = "triage-log";

export const ROLES = {
  worker: "triage_worker",
  manager: "triage_manager",
  senior_manager: "triage_senior_manager",
  rules_lead: "triage_rules_lead",
  auditor: "triage_auditor",
} as const;

/**
 * Entry kinds only some roles may append, checked by the database (a member of any listed role
 * may). Extend by adding rows: a later migration, or `INSERT INTO triage.kind_roles` by the owner.
 */
export const KIND_ROLES: ReadonlyArray<readonly [kind: string, role: string]> = [
  ["review", ROLES.manager],
  ["rule_set_proposed", ROLES.rules_lead],
  ["rule_set_approved", ROLES.rules_lead],
];

/** The advisory lock every append takes (one per database): "TRIG" as an integer. */
export const CHAIN_LOCK = 0x54524947;

export interface PgMigration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The insert trigger of events (see the file's comment). Migration 1 wrote it; migration 2 replaces
 * it with `shippedByOwner`: the log's owner records the shipped rule set's approval as its first
 * approval (`triage admin init`), and no one else may claim that basis.
 */
function eventsBeforeInsert(create: "CREATE" | "CREATE OR REPLACE", shippedByOwner: boolean): string {
  return `${create} FUNCTION triage.events_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  verbatim boolean := NEW.hash IS NOT NULL;
  b jsonb;
  allowed name[];
BEGIN
  PERFORM pg_advisory_xact_lock(${CHAIN_LOCK});
  SELECT seq, hash INTO head_seq, head_hash FROM triage.events ORDER BY seq DESC LIMIT 1;
  head_seq := coalesce(head_seq, 0);
  head_hash := coalesce(head_hash, repeat('0', 64));
  BEGIN
    b := NEW.body::jsonb;
  EXCEPTION WHEN others THEN
    PERFORM triage.refuse('refused: the entry body is not JSON');
  END;
  IF verbatim THEN
    IF NOT triage.is_owner() THEN
      PERFORM triage.refuse(format('refused: only the owner of the log may copy entries into it verbatim; %s is not', session_user));
    END IF;
    IF NEW.seq IS DISTINCT FROM head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
      PERFORM triage.refuse(format('refused: entry %s does not follow the head of this log (entry %s)', NEW.seq, head_seq));
    END IF;
    IF NEW.hash <> encode(sha256(convert_to(triage.entry_text(NEW), 'UTF8')), 'hex') THEN
      PERFORM triage.refuse(format('refused: entry %s does not match its hash', NEW.seq));
    END IF;
    RETURN NEW;
  END IF;

  NEW.actor := session_user;
  NEW.seq := head_seq + 1;
  NEW.prev_hash := head_hash;

  SELECT array_agg(role) INTO allowed FROM triage.kind_roles WHERE kind = NEW.kind;
${shippedByOwner ? SHIPPED_BY_OWNER : ""}  IF allowed IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unnest(allowed) r WHERE triage.is_member(r)) THEN
    PERFORM triage.refuse(format('refused: %s entries need the role %s, and %s does not have it', NEW.kind, array_to_string(allowed, ' or '), session_user));
  END IF;
  IF NEW.kind = 'decision' AND b ? 'decided_by' AND b->>'decided_by' IS DISTINCT FROM session_user THEN
    PERFORM triage.refuse(format('refused: a decision is recorded by the person logged in (%s), not %s', session_user, b->>'decided_by'));
  END IF;
  IF NEW.kind = 'closure' AND b->>'reason' LIKE '%malicious%' AND NOT (b->'approvals_required') ? 'senior_manager' THEN
    PERFORM triage.refuse('refused: a closure as malicious needs a senior manager''s agreement as well as a manager''s');
  END IF;
  IF NEW.kind = 'review' THEN
    PERFORM triage.check_review(NEW, b);
  END IF;
  NEW.hash := encode(sha256(convert_to(triage.entry_text(NEW), 'UTF8')), 'hex');
  RETURN NEW;
END $$;`;
}

const SHIPPED_BY_OWNER = `  -- The first approval on a new log is the shipped rule set's, recorded by the log's owner
  -- (\`triage admin init\`), so the record says which rule set was in force from the start. No one
  -- may claim that basis later, or as anyone but the owner: it skips the four eyes.
  IF NEW.kind = 'rule_set_approved' AND b->>'basis' = 'shipped' THEN
    IF NOT triage.is_owner() OR EXISTS (SELECT 1 FROM triage.events WHERE kind = 'rule_set_approved') THEN
      PERFORM triage.refuse('refused: the shipped rule set is approved implicitly only by the log''s owner, as its first approval (triage admin init)');
    END IF;
    allowed := NULL;
  END IF;
`;

const V1 = `
CREATE TABLE triage.meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE triage.events (
  seq       bigint PRIMARY KEY,
  ref       text,
  kind      text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
  actor     text NOT NULL,
  at        text NOT NULL,
  body      text NOT NULL,   -- canonical JSON; hashed verbatim (chain.ts), so text, never jsonb
  prev_hash text NOT NULL,
  hash      text NOT NULL UNIQUE
);
CREATE INDEX events_by_ref ON triage.events (ref) WHERE ref IS NOT NULL;
CREATE INDEX events_by_kind ON triage.events (kind, ref) WHERE ref IS NOT NULL;

CREATE TABLE triage.rule_sets (
  sha256         text PRIMARY KEY,
  id             text NOT NULL,
  version        text NOT NULL,
  content        text NOT NULL,
  registered_seq bigint NOT NULL REFERENCES triage.events (seq)
);

CREATE TABLE triage.decisions (
  seq             bigint PRIMARY KEY REFERENCES triage.events (seq),
  ref             text NOT NULL UNIQUE,
  received_at     text NOT NULL,
  received_utc    text NOT NULL,
  decided_at      text NOT NULL,
  outcome         text NOT NULL,
  outcome_level   integer NOT NULL,
  computed_level  integer NOT NULL,
  decide_by       text,
  respond_by      text,
  worker          text NOT NULL,
  rule_set_sha256 text NOT NULL REFERENCES triage.rule_sets (sha256),
  child_name      text,
  child_name_norm text,
  name_key        text,
  child_dob       text,
  child_ref       text,
  postcode_norm   text
);
CREATE INDEX decisions_by_received ON triage.decisions (received_utc);
CREATE INDEX decisions_by_outcome  ON triage.decisions (outcome, received_utc);
CREATE INDEX decisions_by_worker   ON triage.decisions (worker, received_utc);
CREATE INDEX decisions_by_child_ref ON triage.decisions (child_ref) WHERE child_ref IS NOT NULL;
CREATE INDEX decisions_by_name_dob ON triage.decisions (child_name_norm, child_dob) WHERE child_name_norm IS NOT NULL;
CREATE INDEX decisions_by_dob      ON triage.decisions (child_dob) WHERE child_dob IS NOT NULL;
CREATE INDEX decisions_by_postcode ON triage.decisions (postcode_norm) WHERE postcode_norm IS NOT NULL;
CREATE INDEX decisions_by_name_key ON triage.decisions (name_key) WHERE name_key IS NOT NULL;

-- Interviews in progress: each person's own (row-level security), mutable, not chained.
CREATE TABLE triage.drafts (
  id              text PRIMARY KEY,
  created_by      text NOT NULL DEFAULT session_user,
  created_at      text NOT NULL,
  updated_at      text NOT NULL,
  rule_set_sha256 text NOT NULL,
  state           text NOT NULL
);
CREATE INDEX drafts_by_updated ON triage.drafts (updated_at);
ALTER TABLE triage.drafts ENABLE ROW LEVEL SECURITY;
CREATE POLICY drafts_own ON triage.drafts USING (created_by = session_user) WITH CHECK (created_by = session_user);

-- Kinds only some roles may append (see pg-schema.ts KIND_ROLES).
CREATE TABLE triage.kind_roles (
  kind text NOT NULL,
  role name NOT NULL,
  PRIMARY KEY (kind, role)
);

CREATE FUNCTION triage.refuse(message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '${PG_REFUSED}', MESSAGE = message;
END $$;

-- The canonical JSON text of an entry: exactly chain.ts entryHashInput (to_json escapes a string
-- as JSON.stringify does).
CREATE FUNCTION triage.entry_text(e triage.events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT '{"actor":' || to_json(e.actor)::text || ',"at":' || to_json(e.at)::text || ',"body":' || e.body
      || ',"kind":' || to_json(e.kind)::text || ',"prev_hash":' || to_json(e.prev_hash)::text
      || ',"ref":' || coalesce(to_json(e.ref)::text, 'null') || ',"seq":' || e.seq::text || '}'
$$;

CREATE FUNCTION triage.is_member(role_name text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) AND pg_has_role(session_user, role_name, 'MEMBER')
$$;

CREATE FUNCTION triage.is_owner() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'triage.events'::regclass), 'MEMBER')
$$;

-- Every insert into events: serialise on the chain head, link, set the actor, hash, and check
-- the role and approval rules. An insert that gives its own hash is a verbatim copy (owner only).
${eventsBeforeInsert("CREATE", false)}

-- The approval rules of src/workflow/actions/reviews.ts that a client could skip.
CREATE FUNCTION triage.check_review(e triage.events, b jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  decider text;
  target triage.events;
BEGIN
  IF b->>'role' = 'senior_manager' AND NOT triage.is_member('${ROLES.senior_manager}') THEN
    PERFORM triage.refuse(format('refused: %s reviewed as a senior manager but does not have the role ${ROLES.senior_manager}', session_user));
  END IF;
  SELECT actor INTO decider FROM triage.events WHERE ref = e.ref AND kind = 'decision';
  IF decider IS NULL THEN
    PERFORM triage.refuse(format('refused: there is no referral %s in the log', e.ref));
  END IF;
  IF jsonb_typeof(b->'of') = 'number' THEN
    SELECT * INTO target FROM triage.events WHERE seq = (b->>'of')::bigint;
    IF target.seq IS NULL OR target.ref IS DISTINCT FROM e.ref OR target.kind NOT IN ('override', 'closure') THEN
      PERFORM triage.refuse(format('refused: entry #%s is not an override or closure of %s', b->>'of', e.ref));
    END IF;
    IF target.actor = session_user THEN
      PERFORM triage.refuse(format('refused: %s proposed the %s #%s; a different manager must review it', session_user, target.kind, target.seq));
    END IF;
    IF decider = session_user THEN
      PERFORM triage.refuse(format('refused: %s made the decision on %s; a manager who did not decide it must review the %s #%s', session_user, e.ref, target.kind, target.seq));
    END IF;
    IF b->>'action' = 'agree' AND EXISTS (
      SELECT 1 FROM triage.events r
      WHERE r.ref = e.ref AND r.kind = 'review' AND r.actor = session_user
        AND r.body::jsonb->>'action' = 'agree' AND r.body::jsonb->'of' = b->'of'
    ) THEN
      PERFORM triage.refuse(format('refused: %s has already agreed to the %s #%s; the same person counts once', session_user, target.kind, target.seq));
    END IF;
  ELSIF decider = session_user THEN
    PERFORM triage.refuse(format('refused: %s made the decision on %s; a manager who did not decide it must review it', session_user, e.ref));
  END IF;
END $$;

CREATE TRIGGER events_before_insert BEFORE INSERT ON triage.events FOR EACH ROW EXECUTE FUNCTION triage.events_before_insert();

-- An index row must belong to its decision entry and name its recorder.
CREATE FUNCTION triage.decisions_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry triage.events;
BEGIN
  SELECT * INTO entry FROM triage.events WHERE seq = NEW.seq;
  IF entry.kind IS DISTINCT FROM 'decision' OR entry.ref IS DISTINCT FROM NEW.ref OR entry.actor IS DISTINCT FROM NEW.worker THEN
    PERFORM triage.refuse(format('refused: decisions index row %s does not match decision entry %s', NEW.ref, NEW.seq));
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER decisions_before_insert BEFORE INSERT ON triage.decisions FOR EACH ROW EXECUTE FUNCTION triage.decisions_before_insert();

-- A rule set's content must hash to its key (replaying a decision relies on it).
CREATE FUNCTION triage.rule_sets_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sha256 <> encode(sha256(convert_to(NEW.content, 'UTF8')), 'hex') THEN
    PERFORM triage.refuse(format('refused: rule set %s: content does not match its hash', NEW.sha256));
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER rule_sets_before_insert BEFORE INSERT ON triage.rule_sets FOR EACH ROW EXECUTE FUNCTION triage.rule_sets_before_insert();

-- Drafts belong to whoever writes them.
CREATE FUNCTION triage.drafts_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.created_by := session_user;
  RETURN NEW;
END $$;
CREATE TRIGGER drafts_owner BEFORE INSERT ON triage.drafts FOR EACH ROW EXECUTE FUNCTION triage.drafts_owner();

-- Append-only for everyone, the owner included (privileges already deny the triage roles).
CREATE FUNCTION triage.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '${PG_REFUSED}', MESSAGE = format('refused: %s is append-only', TG_TABLE_NAME);
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON triage.events FOR EACH ROW EXECUTE FUNCTION triage.append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON triage.events FOR EACH STATEMENT EXECUTE FUNCTION triage.append_only();
CREATE TRIGGER rule_sets_no_update BEFORE UPDATE OR DELETE ON triage.rule_sets FOR EACH ROW EXECUTE FUNCTION triage.append_only();
CREATE TRIGGER rule_sets_no_truncate BEFORE TRUNCATE ON triage.rule_sets FOR EACH STATEMENT EXECUTE FUNCTION triage.append_only();
CREATE TRIGGER decisions_no_update BEFORE UPDATE OR DELETE ON triage.decisions FOR EACH ROW EXECUTE FUNCTION triage.append_only();
CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON triage.decisions FOR EACH STATEMENT EXECUTE FUNCTION triage.append_only();
`;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, description: "events chain, rule sets, decisions index, drafts, checks in the database", sql: V1 },
  {
    version: 2,
    description: "the shipped rule set approved implicitly by the owner, as the first approval",
    sql: eventsBeforeInsert("CREATE OR REPLACE", true),
  },
];

export const PG_LATEST_VERSION = PG_MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Triggers verify expects on the server (a missing one means someone with the owner's rights removed it). */
export const PG_EXPECTED_TRIGGERS = [
  "events_before_insert",
  "decisions_before_insert",
  "rule_sets_before_insert",
  "events_no_update",
  "events_no_truncate",
  "rule_sets_no_update",
  "rule_sets_no_truncate",
  "decisions_no_update",
  "decisions_no_truncate",
] as const;

/**
 * Roles and privileges, run by `admin init` after the migrations (idempotent: GRANT and REVOKE may
 * be repeated). Nobody is granted UPDATE, DELETE or TRUNCATE on the entries.
 */
export function grantsSql(): string {
  const r = ROLES;
  const entries = "triage.events, triage.rule_sets, triage.decisions";
  return `
REVOKE ALL ON SCHEMA triage FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA triage FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA triage FROM PUBLIC;
GRANT ${r.worker} TO ${r.manager};
GRANT ${r.manager} TO ${r.senior_manager};
GRANT ${r.worker} TO ${r.rules_lead};
GRANT USAGE ON SCHEMA triage TO ${r.worker}, ${r.auditor};
REVOKE ALL ON ${entries}, triage.drafts, triage.meta, triage.kind_roles FROM ${r.worker}, ${r.manager}, ${r.senior_manager}, ${r.rules_lead}, ${r.auditor};
GRANT SELECT ON ${entries}, triage.meta, triage.kind_roles TO ${r.worker}, ${r.auditor};
GRANT INSERT ON ${entries} TO ${r.worker};
GRANT SELECT, INSERT, UPDATE, DELETE ON triage.drafts TO ${r.worker};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA triage TO ${r.worker}, ${r.auditor};
`;
}
