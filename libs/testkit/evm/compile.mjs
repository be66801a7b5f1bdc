// Compiles contracts/*.sol with solcjs (the npm `solc` package, pinned in package-lock.json)
// into build/<Contract>.json ({abi, bytecode}). Run by the anvil test fixture when the build
// is missing or older than a source; `npm run compile` does the same by hand.
import fs from "node:fs";
import path from "node:path";
import solc from "solc";

const here = path.dirname(new URL(import.meta.url).pathname);
const sources = {};
for (const file of fs.readdirSync(path.join(here, "contracts")).filter((f) => f.endsWith(".sol"))) {
  sources[file] = { content: fs.readFileSync(path.join(here, "contracts", file), "utf8") };
}
const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    // Paris: no PUSH0, so the bytecode runs on every chain anvil may be asked to emulate.
    evmVersion: "paris",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const out = path.join(here, "build");
fs.mkdirSync(out, { recursive: true });
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = { contract: name, source: file, compiler: solc.version(), abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
    fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(artifact, null, 1) + "\n");
  }
}
console.log(`compiled ${Object.keys(sources).length} sources with solc ${solc.version()}`);
