// The solc command line that forge calls, driving the npm `solc` compiler offline.
//
// forge runs `solc --version` and `solc --standard-json [--base-path P] [--include-path P]...
// [--allow-paths P,...]` with the standard JSON input on stdin. This script answers both from
// the pinned npm compiler (node_modules/solc): it prints the version in solc's own format and
// compiles standard JSON, resolving imports that are not in the input from the base path, then
// each include path, then as given. It never downloads a compiler.
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const solc = require(path.join(root, 'node_modules', 'solc'));

function usage(message) {
  process.stderr.write(`solc wrapper: ${message}\nusage: solc --version | solc --standard-json [--base-path P] [--include-path P]... [--allow-paths P]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let standardJson = false;
let basePath = process.cwd();
const includePaths = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    if (i + 1 >= args.length) usage(`${a} needs a value`);
    return args[++i];
  };
  if (a === '--version' || a === '-v') {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    process.exit(0);
  } else if (a === '--standard-json') {
    standardJson = true;
  } else if (a === '--base-path') {
    basePath = path.resolve(value());
  } else if (a === '--include-path') {
    includePaths.push(path.resolve(value()));
  } else if (a === '--allow-paths') {
    value(); // Imports are only read from the base and include paths below.
  } else if (a === '-') {
    // Standard input, which is where the JSON is read from anyway.
  } else {
    usage(`unsupported argument ${a}`);
  }
}
if (!standardJson) usage('only --version and --standard-json are supported');

function findImports(importPath) {
  const candidates = [basePath, ...includePaths].map((p) => path.resolve(p, importPath));
  candidates.push(path.resolve(importPath));
  for (const file of candidates) {
    try {
      return { contents: fs.readFileSync(file, 'utf8') };
    } catch (_) {
      // Try the next candidate.
    }
  }
  return { error: `File not found: ${importPath} (searched ${candidates.join(', ')})` };
}

const input = fs.readFileSync(0, 'utf8');
process.stdout.write(solc.compile(input, { import: findImports }));
