// Vm: the subset of the Foundry cheatcode interface this project's forge tests and scripts call.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @notice Cheatcodes forge answers at `0x7109709ECfa91a80626fF3989D68f67F5b1DD12D`.
/// @dev Written for this project from the Foundry cheatcode reference; only signatures the
/// project needs, each checked against forge 1.7 (an unknown selector fails the calling test).
/// Mutability follows the upstream specification so `view`/`pure` helpers may call the
/// `view`/`pure` ones through a static call.
interface Vm {
    /// @notice Gas measurements of the last call, from the callee's side (`lastCallGas`).
    struct Gas {
        uint64 gasLimit;
        uint64 gasTotalUsed;
        uint64 gasMemoryUsed; // deprecated upstream: always 0
        int64 gasRefunded;
        uint64 gasRemaining;
    }

    // ---- Block and transaction environment ----

    /// @notice Sets `block.timestamp`.
    function warp(uint256 newTimestamp) external;
    /// @notice Sets `block.number`.
    function roll(uint256 newHeight) external;
    /// @notice Sets `block.basefee`.
    function fee(uint256 newBasefee) external;
    /// @notice Sets `block.chainid`.
    function chainId(uint256 newChainId) external;
    /// @notice Sets `tx.gasprice` for the rest of the transaction.
    function txGasPrice(uint256 newGasPrice) external;
    /// @notice Reads the current `block.timestamp` (not folded into a constant under via-IR).
    function getBlockTimestamp() external view returns (uint256 timestamp);

    // ---- Accounts and state ----

    /// @notice Sets the ether balance of `account`.
    function deal(address account, uint256 newBalance) external;
    /// @notice Replaces the runtime code at `target`.
    function etch(address target, bytes calldata newRuntimeBytecode) external;
    /// @notice Writes one storage slot of `target`.
    function store(address target, bytes32 slot, bytes32 value) external;
    /// @notice Reads one storage slot of `target`.
    function load(address target, bytes32 slot) external view returns (bytes32 data);
    /// @notice Starts recording storage reads and writes (see `accesses`).
    function record() external;
    /// @notice Slots of `target` read and written since `record` (every write is also a read).
    function accesses(address target)
        external
        returns (bytes32[] memory readSlots, bytes32[] memory writeSlots);
    /// @notice Snapshots the whole EVM state; returns its id.
    function snapshotState() external returns (uint256 snapshotId);
    /// @notice Restores a state snapshot; false if the id is unknown. The snapshot is kept.
    function revertToState(uint256 snapshotId) external returns (bool success);

    // ---- Callers ----

    /// @notice Sets `msg.sender` for the next call only.
    function prank(address msgSender) external;
    /// @notice Sets `msg.sender` and `tx.origin` for the next call only.
    function prank(address msgSender, address txOrigin) external;
    /// @notice Sets `msg.sender` for every call until `stopPrank`.
    function startPrank(address msgSender) external;
    /// @notice Sets `msg.sender` and `tx.origin` for every call until `stopPrank`.
    function startPrank(address msgSender, address txOrigin) external;
    /// @notice Ends a `startPrank`.
    function stopPrank() external;

    // ---- Expectations and mocks ----

    /// @notice The next call must revert, with any data.
    function expectRevert() external;
    /// @notice The next call must revert with exactly these 4 bytes (an error without arguments).
    function expectRevert(bytes4 revertData) external;
    /// @notice The next call must revert with exactly this data (`bytes("msg")` for a string).
    function expectRevert(bytes calldata revertData) external;
    /// @notice The next call must emit the event emitted next here, checking every topic and data.
    function expectEmit() external;
    /// @notice As `expectEmit()`, choosing which of topics 1-3 and the data are compared.
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData)
        external;
    /// @notice As above, and the event must come from `emitter`.
    function expectEmit(
        bool checkTopic1,
        bool checkTopic2,
        bool checkTopic3,
        bool checkData,
        address emitter
    ) external;
    /// @notice The test must make a call to `callee` whose calldata starts with `data`.
    function expectCall(address callee, bytes calldata data) external;
    /// @notice Calls to `callee` whose calldata starts with `data` return `returnData`.
    function mockCall(address callee, bytes calldata data, bytes calldata returnData) external;
    /// @notice Calls to `callee` whose calldata starts with `data` revert with `revertData`.
    function mockCallRevert(address callee, bytes calldata data, bytes calldata revertData) external;
    /// @notice Removes every `mockCall` and `mockCallRevert`.
    function clearMockedCalls() external;
    /// @notice Discards the current fuzz input when `condition` is false.
    function assume(bool condition) external pure;

    // ---- Keys and signatures ----

    /// @notice The address of a secp256k1 private key.
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    /// @notice Signs `digest` (no prefix added) with `privateKey`.
    function sign(uint256 privateKey, bytes32 digest)
        external
        pure
        returns (uint8 v, bytes32 r, bytes32 s);
    /// @notice Names `account` in traces.
    function label(address account, string calldata newLabel) external;

    // ---- Files and artifacts (reads need `fs_permissions` in foundry.toml) ----

    /// @notice The absolute path of the project root.
    function projectRoot() external view returns (string memory path);
    /// @notice Reads a whole file, relative to the project root.
    function readFile(string calldata path) external view returns (string memory data);
    /// @notice Creation bytecode of an artifact (`File.sol`, `File.sol:Contract` or a path).
    function getCode(string calldata artifactPath)
        external
        view
        returns (bytes memory creationBytecode);
    /// @notice Deploys an artifact without constructor arguments.
    function deployCode(string calldata artifactPath) external returns (address deployedAddress);
    /// @notice Deploys an artifact with ABI-encoded constructor arguments.
    function deployCode(string calldata artifactPath, bytes calldata constructorArgs)
        external
        returns (address deployedAddress);

    // ---- Scripts: broadcasting, environment, files ----

    /// @notice Where forge runs the code: tests, coverage, snapshots, or a script's dry run,
    /// broadcast or resumption (values in upstream order; `isContext` takes the enum's index).
    enum ForgeContext {
        TestGroup,
        Test,
        Coverage,
        Snapshot,
        ScriptGroup,
        ScriptDryRun,
        ScriptBroadcast,
        ScriptResume,
        Unknown
    }

    /// @notice Whether forge runs in `context` (a group matches each of its members).
    function isContext(ForgeContext context) external view returns (bool result);
    /// @notice Makes every following call and creation of this script a transaction, sent by the
    /// key or account given on the command line (`--private-key`, `--account`, `--ledger`, ...).
    function startBroadcast() external;
    /// @notice Ends `startBroadcast`.
    function stopBroadcast() external;
    /// @notice The environment variable `name`, or `defaultValue` if it is not set.
    function envOr(string calldata name, string calldata defaultValue)
        external
        view
        returns (string memory value);
    /// @notice The environment variable `name` split at `delim`, each part parsed as an address.
    function envAddress(string calldata name, string calldata delim)
        external
        view
        returns (address[] memory value);
    /// @notice Creates a directory, relative to the project root (needs write `fs_permissions`).
    function createDir(string calldata path, bool recursive) external;
    /// @notice Writes `json` to `path`, relative to the project root (needs write
    /// `fs_permissions`).
    function writeJson(string calldata json, string calldata path) external;

    // ---- JSON (keys are JSONPath, e.g. ".a.b[0]") ----

    function parseJson(string calldata json, string calldata key)
        external
        pure
        returns (bytes memory abiEncodedData);
    function parseJsonUint(string calldata json, string calldata key)
        external
        pure
        returns (uint256);
    function parseJsonBytes32(string calldata json, string calldata key)
        external
        pure
        returns (bytes32);
    function parseJsonAddress(string calldata json, string calldata key)
        external
        pure
        returns (address);
    function parseJsonBytes(string calldata json, string calldata key)
        external
        pure
        returns (bytes memory);
    function parseJsonBool(string calldata json, string calldata key) external pure returns (bool);
    function parseJsonString(string calldata json, string calldata key)
        external
        pure
        returns (string memory);
    function parseJsonUintArray(string calldata json, string calldata key)
        external
        pure
        returns (uint256[] memory);
    function parseJsonKeys(string calldata json, string calldata key)
        external
        pure
        returns (string[] memory keys);
    /// @notice Adds `valueKey: value` to the JSON object named `objectKey`; returns the object.
    function serializeAddress(string calldata objectKey, string calldata valueKey, address value)
        external
        returns (string memory json);
    /// @notice As above, with an array of addresses.
    function serializeAddress(
        string calldata objectKey,
        string calldata valueKey,
        address[] calldata values
    ) external returns (string memory json);
    /// @notice As above, with a number.
    function serializeUint(string calldata objectKey, string calldata valueKey, uint256 value)
        external
        returns (string memory json);

    // ---- Strings (bytes and bytes32 as 0x-prefixed hex, addresses checksummed) ----

    function toString(uint256 value) external pure returns (string memory stringifiedValue);
    function toString(int256 value) external pure returns (string memory stringifiedValue);
    function toString(address value) external pure returns (string memory stringifiedValue);
    function toString(bytes32 value) external pure returns (string memory stringifiedValue);
    function toString(bool value) external pure returns (string memory stringifiedValue);
    function toString(bytes calldata value) external pure returns (string memory stringifiedValue);

    // ---- Gas ----

    /// @notice Stops charging gas until `resumeGasMetering`.
    function pauseGasMetering() external;
    /// @notice Resumes charging gas.
    function resumeGasMetering() external;
    /// @notice Gas of the last external call, from the callee's side.
    function lastCallGas() external view returns (Gas memory gas);
    /// @notice Starts a named gas measurement (written to `snapshots/<Contract>.json`).
    function startSnapshotGas(string calldata name) external;
    /// @notice Ends the latest measurement and returns the gas used since its start.
    function stopSnapshotGas() external returns (uint256 gasUsed);
    /// @notice Records the gas of the last call under `name` and returns it.
    function snapshotGasLastCall(string calldata name) external returns (uint256 gasUsed);
    /// @notice Records `value` under `name` in the calling contract's gas snapshot file.
    function snapshotValue(string calldata name, uint256 value) external;
}
