#!/usr/bin/env node
// `npm run check:api`: fails when the committed API contract is stale.
//
// Regenerates, into a temporary folder, (1) the server's OpenAPI document with
// `brigade openapi` and (2) the TypeScript types with openapi-typescript, and compares
// them with the committed `web/openapi.json` and `web/src/api/schema.d.ts`. Exit code 0
// when both match, 1 (with the files and the first differing line) when either differs,
// 2 when the tools cannot run. The brigade command is `../.venv/bin/brigade` (made by
// `make install`) unless BRIGADE_CLI names another.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const brigade = process.env.BRIGADE_CLI ?? path.resolve(webDir, "..", ".venv", "bin", "brigade");
const openapiTs = path.join(webDir, "node_modules", ".bin", "openapi-typescript");
const FIX = "Run `make web-api` (in the repository root) and commit web/openapi.json and web/src/api/schema.d.ts.";

function fail(code, message) {
  console.error(`check:api: ${message}`);
  process.exit(code);
}

/** The first line where `a` and `b` differ, as "line N: committed … / generated …". */
function firstDifference(committed, generated) {
  const left = committed.split("\n");
  const right = generated.split("\n");
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    if (left[i] !== right[i]) {
      return `line ${i + 1}:\n  committed: ${left[i] ?? "<end of file>"}\n  generated: ${right[i] ?? "<end of file>"}`;
    }
  }
  return "";
}

if (!existsSync(brigade)) fail(2, `cannot find the brigade command at ${brigade}: run \`make install\` or set BRIGADE_CLI.`);
if (!existsSync(openapiTs)) fail(2, "openapi-typescript is not installed: run `npm ci` in web/.");

const tmp = mkdtempSync(path.join(tmpdir(), "brigade-check-api-"));
try {
  const freshSpec = path.join(tmp, "openapi.json");
  const freshTypes = path.join(tmp, "schema.d.ts");
  try {
    execFileSync(brigade, ["openapi", "--output", freshSpec], { stdio: ["ignore", "ignore", "pipe"] });
    execFileSync(openapiTs, [freshSpec, "--default-non-nullable=false", "--output", freshTypes], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const stderr = error && typeof error === "object" && "stderr" in error ? String(error.stderr) : String(error);
    fail(2, `regenerating failed:\n${stderr}`);
  }
  const stale = [];
  for (const [committedPath, freshPath] of [
    [path.join(webDir, "openapi.json"), freshSpec],
    [path.join(webDir, "src", "api", "schema.d.ts"), freshTypes],
  ]) {
    const generated = readFileSync(freshPath, "utf8");
    const committed = existsSync(committedPath) ? readFileSync(committedPath, "utf8") : "";
    if (committed !== generated) {
      stale.push(`${path.relative(path.dirname(webDir), committedPath)} is stale (${firstDifference(committed, generated)})`);
    }
  }
  if (stale.length > 0) fail(1, `the generated API files do not match the server:\n- ${stale.join("\n- ")}\n${FIX}`);
  console.log("check:api: web/openapi.json and web/src/api/schema.d.ts match the server.");
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
