// `npm run e2e` (from web/): the browser suite, the same command ctest runs:
//   node --test --test-concurrency=1 web/e2e/
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=1", dir, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
