#!/usr/bin/env node
// The `kt` command. The CLI is TypeScript run directly by Node's type stripping
// (Node >= 22.18), so there is no build step; older Node gets a clear message.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `kt needs Node.js 22.18 or newer (this is ${process.version}); ` +
      'run it with the project\'s Node: export PATH="$PWD/node_modules/.bin:$PATH"',
  );
  process.exit(2);
}
await import("../main.ts");
