// check-openapi.mjs - validates an OpenAPI document with @apidevtools/swagger-parser
// (installed with the dashboard's npm packages, web/package.json) against the
// OpenAPI schema of the version it declares, and resolves every $ref.
// Usage: node scripts/check-openapi.mjs FILE [NODE_MODULES_DIR]
import { createRequire } from "node:module";
import path from "node:path";

const [file, modules] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/check-openapi.mjs FILE [NODE_MODULES_DIR]");
  process.exit(2);
}
const require = createRequire(path.resolve(modules || "web/node_modules", "x.js"));
const SwaggerParser = require("@apidevtools/swagger-parser");
try {
  const api = await SwaggerParser.validate(path.resolve(file));
  const paths = Object.keys(api.paths || {}).length;
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${paths} paths`);
} catch (e) {
  console.error(`${file}: ${e.message}`);
  process.exit(1);
}
