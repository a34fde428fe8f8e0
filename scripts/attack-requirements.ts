/**
 * Regenerates `workers/policy/detect/attack-requirements.json`, the stored
 * word-gate requirements of the built-in attack patterns (see
 * `workers/policy/detect/requirement-table.ts`). Run it after editing an
 * attack pattern: `node scripts/attack-requirements.ts`.
 */
import { writeFileSync } from "node:fs";
import { format } from "prettier";
import { ATTACKS, FAKE_BOUNDARIES } from "../workers/policy/detect/attack-library.ts";
import { storeRequirements } from "../workers/policy/detect/requirement-table.ts";

const target = new URL("../workers/policy/detect/attack-requirements.json", import.meta.url);
const stored = storeRequirements([...ATTACKS, ...FAKE_BOUNDARIES].map((attack) => attack.pattern));
writeFileSync(target, await format(JSON.stringify(stored), { parser: "json", printWidth: 100 }));
console.log(
  `${Object.keys(stored.patterns).length} patterns, ${stored.lists.length} word lists: ${target.pathname}`,
);
