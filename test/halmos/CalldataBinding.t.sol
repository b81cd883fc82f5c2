// Symbolic checks that the calldata views bind: a State, Params or WithdrawalAuth the canonical walk accepts hashes exactly as abi.encode of what solc decodes.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Adjudicator} from "../../contracts/solidity/Adjudicator.sol";
import {CalldataHarness} from "./CalldataHarness.sol";
import {SymTest} from "./utils/SymTest.sol";

/// @notice Property 1 (README, "Symbolic checks"). Each check builds a call to the harness whose
/// argument is arbitrary symbolic bytes except for the length words the canonical walk reads
/// (fixed per check: the shape) and the argument's head offset: every struct offset, value word,
/// `bytes` content and padding word, and a word of slack before and after the struct where a
/// check says so, is a free 256-bit symbol. Then:
/// 1. if `requireCanonical` (or `WithdrawalAuthRef.hash`) accepts, every offset is the one
///    `abi.encode` writes (asserted: a counterexample here is an accepted non-canonical layout);
/// 2. the bytes `hash()`/`id()` hash, from the head to the end of the last dynamic member, are
///    `abi.encode(decoded)` without its leading 0x20 word, where `decoded` is what solc's ABI
///    decoder reads from the same calldata, and the hashes are equal;
/// 3. the deployed Adjudicator's `hashState`/`channelID` return that hash.
/// Steps 2 and 3 call with the offsets written as the constants step 1 proved them equal to, so
/// the calldata is the same bytes; halmos cannot follow an offset that is a symbol.
contract CalldataBindingCheck is SymTest {
    CalldataHarness internal h;
    Adjudicator internal adj;

    function setUp() public {
        h = new CalldataHarness();
        adj = new Adjudicator();
    }

    // -----------------------------------------------------------------------------------------
    // Raw calldata: words, some of them symbolic, and where the offsets are
    // -----------------------------------------------------------------------------------------

    struct Raw {
        bytes32[] w;
        uint256 n;
        uint256[] offAt;
        uint256[] offVal;
        uint256 nOff;
    }

    function _raw() internal pure returns (Raw memory r) {
        r.w = new bytes32[](96);
        r.offAt = new uint256[](32);
        r.offVal = new uint256[](32);
    }

    function _sym(Raw memory r) internal pure {
        r.w[r.n++] = svm.createBytes32("w");
    }

    function _lit(Raw memory r, uint256 v) internal pure {
        r.w[r.n++] = bytes32(v);
    }

    /// @dev A symbolic offset word; its canonical value is set by `_at` where its target starts.
    function _off(Raw memory r) internal pure returns (uint256 k) {
        k = r.nOff++;
        r.offAt[k] = r.n;
        _sym(r);
    }

    /// @dev Offset `k` points here, relative to word `base`.
    function _at(Raw memory r, uint256 k, uint256 base) internal pure {
        r.offVal[k] = (r.n - base) * 32;
    }

    /// @dev A `bytes` value of `len` bytes: its length word, then whole symbolic words (content
    /// and padding alike).
    function _bytes(Raw memory r, uint256 len) internal pure {
        _lit(r, len);
        for (uint256 i; i < (len + 31) / 32; ++i) {
            _sym(r);
        }
    }

    function _syms(Raw memory r, uint256 count) internal pure {
        for (uint256 i; i < count; ++i) {
            _sym(r);
        }
    }

    /// @dev `count` element offsets of a dynamic array; returns the index of the first.
    function _offs(Raw memory r, uint256 count) internal pure returns (uint256 k) {
        k = r.nOff;
        for (uint256 i; i < count; ++i) {
            _off(r);
        }
    }

    /// @dev The call `selector(arg)` with the raw words as its argument area.
    function _call(bytes4 selector, Raw memory r) internal pure returns (bytes memory cd) {
        cd = new bytes(4 + 32 * r.n);
        bytes32[] memory w = r.w;
        uint256 n = r.n;
        assembly ("memory-safe") {
            mstore(add(cd, 32), selector)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(add(add(cd, 36), shl(5, i)), mload(add(w, shl(5, add(i, 1)))))
            }
        }
    }

    /// @dev The argument's head offset (concrete) and `lead` symbolic words before the struct.
    function _head(Raw memory r, uint256 lead) internal pure {
        _lit(r, 32 * (1 + lead));
        _syms(r, lead);
    }

    /// @dev After acceptance: every offset word is canonical (asserted), and is then written as
    /// that constant, which leaves the bytes as they were on this path.
    function _offsetsCanonical(Raw memory r) internal pure {
        for (uint256 k; k < r.nOff; ++k) {
            assert(uint256(r.w[r.offAt[k]]) == r.offVal[k]);
            r.w[r.offAt[k]] = bytes32(r.offVal[k]);
        }
    }

    /// @dev `span` is `enc` without its leading 0x20 word.
    function _assertSpanIsEncoding(bytes memory span, bytes memory enc) internal pure {
        assert(enc.length == span.length + 32);
        uint256 first;
        assembly ("memory-safe") {
            first := mload(add(enc, 32))
        }
        assert(first == 0x20);
        for (uint256 i; i < span.length; i += 32) {
            uint256 a;
            uint256 b;
            assembly ("memory-safe") {
                a := mload(add(add(span, 32), i))
                b := mload(add(add(enc, 64), i))
            }
            assert(a == b);
        }
    }

    // -----------------------------------------------------------------------------------------
    // State
    // -----------------------------------------------------------------------------------------

    /// @dev A state's shape: each asset's ccHolder length, the backends' count, each balances
    /// row's length, each locked sub-allocation's balances and indexMap lengths, appData's length.
    struct StateShape {
        uint256[] cc;
        uint256 backends;
        uint256[] rows;
        uint256[] lockedBals;
        uint256[] lockedIdx;
        uint256 app;
    }

    function _state(Raw memory r, StateShape memory s) internal pure {
        uint256 p = r.n;
        _syms(r, 2); // channelID, version
        uint256 kOut = _off(r);
        uint256 kApp = _off(r);
        _sym(r); // isFinal
        _at(r, kOut, p);
        uint256 a = r.n;
        uint256 kAssets = _off(r);
        uint256 kBackends = _off(r);
        uint256 kBalances = _off(r);
        uint256 kLocked = _off(r);
        // assets: chainID, ethHolder, ccHolder
        _at(r, kAssets, a);
        _lit(r, s.cc.length);
        uint256 first = r.n;
        uint256 k = _offs(r, s.cc.length);
        for (uint256 i; i < s.cc.length; ++i) {
            _at(r, k + i, first);
            uint256 e = r.n;
            _syms(r, 2);
            uint256 kc = _off(r);
            _at(r, kc, e);
            _bytes(r, s.cc[i]);
        }
        // backends
        _at(r, kBackends, a);
        _lit(r, s.backends);
        _syms(r, s.backends);
        // balances: rows
        _at(r, kBalances, a);
        _lit(r, s.rows.length);
        first = r.n;
        k = _offs(r, s.rows.length);
        for (uint256 i; i < s.rows.length; ++i) {
            _at(r, k + i, first);
            _lit(r, s.rows[i]);
            _syms(r, s.rows[i]);
        }
        // locked: ID, balances, indexMap
        _at(r, kLocked, a);
        _lit(r, s.lockedBals.length);
        first = r.n;
        k = _offs(r, s.lockedBals.length);
        for (uint256 i; i < s.lockedBals.length; ++i) {
            _at(r, k + i, first);
            uint256 e = r.n;
            _sym(r);
            uint256 kb = _off(r);
            uint256 ki = _off(r);
            _at(r, kb, e);
            _lit(r, s.lockedBals[i]);
            _syms(r, s.lockedBals[i]);
            _at(r, ki, e);
            _lit(r, s.lockedIdx[i]);
            _syms(r, s.lockedIdx[i]);
        }
        _at(r, kApp, p);
        _bytes(r, s.app);
    }

    function _checkState(StateShape memory s, uint256 lead, uint256 trail) internal {
        Raw memory r = _raw();
        _head(r, lead);
        _state(r, s);
        _syms(r, trail);
        (bool ok,) = address(h).call(_call(CalldataHarness.stateCanonical.selector, r));
        if (!ok) return; // rejected: nothing is hashed
        _offsetsCanonical(r);
        bytes memory ret;
        (ok, ret) = address(h).call(_call(CalldataHarness.stateHash.selector, r));
        assert(ok);
        (bytes32 hash, bytes memory span) = abi.decode(ret, (bytes32, bytes));
        (ok, ret) = address(h).call(_call(CalldataHarness.stateEncode.selector, r));
        assert(ok); // solc decodes what the walk accepts
        bytes memory enc = abi.decode(ret, (bytes));
        _assertSpanIsEncoding(span, enc);
        assert(hash == keccak256(enc));
        (ok, ret) = address(adj).call(_call(Adjudicator.hashState.selector, r));
        assert(ok);
        assert(abi.decode(ret, (bytes32)) == hash);
        _reached("state");
    }

    function _u(uint256 a) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = a;
    }

    function _u(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        r[0] = a;
        r[1] = b;
    }

    function _none() internal pure returns (uint256[] memory) {
        return new uint256[](0);
    }

    /// @dev Shapes: two participants (each balances row and indexMap has two entries), one or
    /// two assets, backends one per asset, zero or one locked sub-allocation.
    function _shape1(uint256 cc, uint256 app) internal pure returns (StateShape memory) {
        return StateShape(_u(cc), 1, _u(2), _none(), _none(), app);
    }

    function _shape1Locked(uint256 cc, uint256 app) internal pure returns (StateShape memory) {
        return StateShape(_u(cc), 1, _u(2), _u(1), _u(2), app);
    }

    function _shape2(uint256 cc0, uint256 cc1, uint256 app)
        internal
        pure
        returns (StateShape memory)
    {
        return StateShape(_u(cc0, cc1), 2, _u(2, 2), _none(), _none(), app);
    }

    function _shape2Locked(uint256 cc0, uint256 cc1, uint256 app)
        internal
        pure
        returns (StateShape memory)
    {
        return StateShape(_u(cc0, cc1), 2, _u(2, 2), _u(2), _u(2), app);
    }

    function check_state_1asset() public {
        _checkState(_shape1(0, 0), 0, 0);
    }

    function check_state_1asset_app1() public {
        _checkState(_shape1(0, 1), 0, 0);
    }

    function check_state_1asset_app31_slack() public {
        _checkState(_shape1(0, 31), 1, 1);
    }

    function check_state_1asset_app32() public {
        _checkState(_shape1(0, 32), 0, 0);
    }

    function check_state_1asset_app33_cc20() public {
        _checkState(_shape1(20, 33), 0, 1);
    }

    function check_state_1asset_locked_cc1_app5() public {
        _checkState(_shape1Locked(1, 5), 0, 0);
    }

    function check_state_2assets_cc0_cc33_app0() public {
        _checkState(_shape2(0, 33, 0), 0, 0);
    }

    function check_state_2assets_locked_cc32_cc1_app33() public {
        _checkState(_shape2Locked(32, 1, 33), 1, 1);
    }

    /// @notice appData of every length from 0 to 33 bytes (one path per length).
    function check_state_appData_0to33(uint8 app) public {
        for (uint256 c; c <= 33; ++c) {
            if (app == c) return _checkState(_shape1(0, c), 0, 0);
        }
    }

    /// @notice A ccHolder of every length from 0 to 33 bytes, before a 3-byte appData.
    function check_state_ccHolder_0to33(uint8 cc) public {
        for (uint256 c; c <= 33; ++c) {
            if (cc == c) return _checkState(_shape1(c, 3), 0, 0);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Params
    // -----------------------------------------------------------------------------------------

    /// @dev Params whose participants have ccAddresses of the lengths in `cc`.
    function _params(Raw memory r, uint256[] memory cc) internal pure {
        uint256 p = r.n;
        _syms(r, 2); // challengeDuration, nonce
        uint256 kParts = _off(r);
        _syms(r, 3); // app, ledgerChannel, virtualChannel
        _at(r, kParts, p);
        _lit(r, cc.length);
        uint256 first = r.n;
        uint256 k = _offs(r, cc.length);
        for (uint256 i; i < cc.length; ++i) {
            _at(r, k + i, first);
            uint256 e = r.n;
            _sym(r); // ethAddress
            uint256 kc = _off(r);
            _at(r, kc, e);
            _bytes(r, cc[i]);
        }
    }

    function _checkParams(uint256[] memory cc, uint256 lead, uint256 trail) internal {
        Raw memory r = _raw();
        _head(r, lead);
        _params(r, cc);
        _syms(r, trail);
        (bool ok,) = address(h).call(_call(CalldataHarness.paramsCanonical.selector, r));
        if (!ok) return;
        _offsetsCanonical(r);
        bytes memory ret;
        (ok, ret) = address(h).call(_call(CalldataHarness.paramsId.selector, r));
        assert(ok);
        (bytes32 id, bytes memory span) = abi.decode(ret, (bytes32, bytes));
        (ok, ret) = address(h).call(_call(CalldataHarness.paramsEncode.selector, r));
        assert(ok);
        bytes memory enc = abi.decode(ret, (bytes));
        _assertSpanIsEncoding(span, enc);
        assert(id == keccak256(enc));
        (ok, ret) = address(adj).call(_call(Adjudicator.channelID.selector, r));
        assert(ok);
        assert(abi.decode(ret, (bytes32)) == id);
        _reached("params");
    }

    function check_params_2parts() public {
        _checkParams(_u(0, 0), 0, 0);
    }

    function check_params_2parts_cc1_cc33_slack() public {
        _checkParams(_u(1, 33), 1, 1);
    }

    function check_params_2parts_cc32_cc0() public {
        _checkParams(_u(32, 0), 0, 1);
    }

    function check_params_0parts() public {
        _checkParams(_none(), 0, 1);
    }

    /// @notice One participant whose ccAddress has any length from 0 to 33 bytes.
    function check_params_1part_cc_0to33(uint8 cc) public {
        for (uint256 c; c <= 33; ++c) {
            if (cc == c) return _checkParams(_u(c), 0, 0);
        }
    }

    /// @notice Two participants, the second's ccAddress of any length from 0 to 33 bytes.
    function check_params_2parts_cc_0to33(uint8 cc) public {
        for (uint256 c; c <= 33; ++c) {
            if (cc == c) return _checkParams(_u(0, c), 0, 0);
        }
    }

    // -----------------------------------------------------------------------------------------
    // WithdrawalAuth
    // -----------------------------------------------------------------------------------------

    function _checkAuth(uint256 cc, uint256 lead, uint256 trail) internal {
        Raw memory r = _raw();
        _head(r, lead);
        uint256 p = r.n;
        _sym(r); // channelID
        uint256 kPart = _off(r);
        _syms(r, 2); // receiver, amount
        _at(r, kPart, p);
        uint256 e = r.n;
        _sym(r); // participant.ethAddress
        uint256 kc = _off(r);
        _at(r, kc, e);
        _bytes(r, cc);
        _syms(r, trail);
        // `decode` and `hash` walk the layout first and follow no offset: they run on the
        // symbolic offsets themselves.
        (bool ok, bytes memory ret) = address(h).call(_call(CalldataHarness.authDecode.selector, r));
        if (!ok) return;
        (bytes32 cid, address who, bytes32 hd, uint256 value, address to) =
            abi.decode(ret, (bytes32, address, bytes32, uint256, address));
        (ok, ret) = address(h).call(_call(CalldataHarness.authHash.selector, r));
        assert(ok);
        (bytes32 hash, bytes memory span) = abi.decode(ret, (bytes32, bytes));
        assert(hash == hd);
        _offsetsCanonical(r);
        (ok, ret) = address(h).call(_call(CalldataHarness.authEncode.selector, r));
        assert(ok);
        (bytes memory enc, bytes32 cid2, address who2, uint256 value2, address to2) =
            abi.decode(ret, (bytes, bytes32, address, uint256, address));
        _assertSpanIsEncoding(span, enc);
        assert(hash == keccak256(enc));
        assert(cid == cid2 && who == who2 && value == value2 && to == to2);
        _reached("auth");
    }

    /// @notice A participant ccAddress of any length from 0 to 33 bytes.
    function check_auth_cc_0to33(uint8 cc) public {
        for (uint256 c; c <= 33; ++c) {
            if (cc == c) return _checkAuth(c, 0, 0);
        }
    }

    function check_auth_cc20_slack() public {
        _checkAuth(20, 1, 1);
    }

    // -----------------------------------------------------------------------------------------
    // Canaries: each must fail (script/halmos), showing the accepted path is reached
    // -----------------------------------------------------------------------------------------

    function canary_state() public {
        canary = "state";
        _checkState(_shape2Locked(32, 1, 33), 1, 1);
    }

    function canary_params() public {
        canary = "params";
        _checkParams(_u(1, 33), 1, 1);
    }

    function canary_auth() public {
        canary = "auth";
        _checkAuth(20, 1, 1);
    }
}
