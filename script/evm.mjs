// evm.mjs: the chain helpers of script/deploy-stylus (JSON-RPC, CREATE addresses, selectors).
// Runs on node 18 or later (global fetch) with js-sha3, which npm installs with solc.
//
//   node script/evm.mjs rpc URL METHOD PARAMS_JSON   the result (a string as is, else JSON)
//   node script/evm.mjs create ADDRESS NONCE         the address ADDRESS creates at NONCE
//   node script/evm.mjs view URL TO SIGNATURE        an address-returning view without arguments
//   node script/evm.mjs self-check                   the CREATE derivation on known addresses
//
// Errors go to stderr with exit code 1.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let keccak256;
try {
    ({ keccak256 } = require("../node_modules/js-sha3"));
} catch {
    fail("node_modules/js-sha3 is missing: run script/setup");
}

function fail(message) {
    process.stderr.write(`evm.mjs: ${message}\n`);
    process.exit(1);
}

/** The bytes of a 0x-hex string. */
function bytes(hex) {
    const digits = hex.replace(/^0x/, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(digits)) fail(`not hex: ${hex}`);
    return [...Buffer.from(digits, "hex")];
}

/** The address a contract or account at `address` creates with CREATE at `nonce`:
 * keccak256(rlp([address, nonce]))[12..], the nonce as a minimal big-endian integer. */
function createAddress(address, nonce) {
    const a = bytes(address);
    if (a.length !== 20) fail(`not an address: ${address}`);
    let n = BigInt(nonce);
    const be = [];
    while (n > 0n) {
        be.unshift(Number(n & 0xffn));
        n >>= 8n;
    }
    // RLP: a single byte below 0x80 is itself; otherwise a 0x80 + length prefix (0 is 0x80).
    const nonceRlp = be.length === 1 && be[0] < 0x80 ? be : [0x80 + be.length, ...be];
    const payload = [0x80 + 20, ...a, ...nonceRlp];
    // The payload is at most 30 bytes, so the list prefix is one byte.
    return "0x" + keccak256(Uint8Array.from([0xc0 + payload.length, ...payload])).slice(24);
}

async function rpc(url, method, params) {
    let answer;
    try {
        const response = await fetch(url, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
            signal: AbortSignal.timeout(30_000),
        });
        answer = await response.json();
    } catch (e) {
        fail(`no JSON-RPC answer from ${url} to ${method}: ${e.message}`);
    }
    if (answer.error !== undefined || !("result" in answer)) {
        fail(`${method}: ${JSON.stringify(answer.error ?? answer)}`);
    }
    return answer.result;
}

function selfCheck() {
    // Known CREATE addresses: an account's first deployment, and a contract's deployments at
    // one- and multi-byte nonces (a contract's nonce starts at 1).
    const cases = [
        ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 0, "0x5FbDB2315678afecb367f032d93F642f64180aa3"],
        ["0x5FbDB2315678afecb367f032d93F642f64180aa3", 1, "0xa16E02E87b7454126E5E10d957A927A7F5B5d2be"],
        ["0x5FbDB2315678afecb367f032d93F642f64180aa3", 127, "0xe176B6e5268a2f756f5Fb48F40b23e596f371F80"],
        ["0x5FbDB2315678afecb367f032d93F642f64180aa3", 128, "0x52f6a0C4cD3cC189fFeD3a5EEEfdD88a3E17d582"],
        ["0x5FbDB2315678afecb367f032d93F642f64180aa3", 256, "0x8475E1b33aC7f7B951C5C28De679196a8C69bb98"],
        ["0x5FbDB2315678afecb367f032d93F642f64180aa3", 70000, "0x6Fd1824e573a0569a73Df240774d92A8DB374a55"],
    ];
    for (const [from, nonce, want] of cases) {
        const got = createAddress(from, nonce);
        if (got !== want.toLowerCase()) fail(`create(${from}, ${nonce}) = ${got}, want ${want}`);
    }
    console.log(`evm.mjs: ${cases.length} CREATE addresses derived correctly`);
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
    case "rpc": {
        const [url, method, params] = args;
        const result = await rpc(url, method, JSON.parse(params ?? "[]"));
        console.log(typeof result === "string" ? result : JSON.stringify(result));
        break;
    }
    case "create":
        console.log(createAddress(args[0], args[1]));
        break;
    case "view": {
        const [url, to, signature] = args;
        const data = "0x" + keccak256(signature).slice(0, 8);
        const word = await rpc(url, "eth_call", [{ to, data }, "latest"]);
        if (!/^0x[0-9a-fA-F]{64}$/.test(word)) fail(`${signature} on ${to} returned ${word}`);
        console.log("0x" + word.slice(26).toLowerCase());
        break;
    }
    case "self-check":
        selfCheck();
        break;
    default:
        fail(`unknown command ${command}: rpc, create, view or self-check`);
}
