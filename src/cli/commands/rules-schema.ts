import * as z from "zod";
import { ruleSetSchema } from "../../rules/schema.js";
import type { Context } from "../context.js";

export async function run(ctx: Context): Promise<void> {
  const schema = z.toJSONSchema(ruleSetSchema, { target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;
  ctx.out(JSON.stringify({ ...schema, title: "triage rule set", $id: "https://triage.invalid/rule-set.schema.json" }, null, 2));
}
