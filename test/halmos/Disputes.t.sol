// Symbolic checks of the dispute records' transitions (Disputes.sol): refutations and conclusions, and concluded records that never change.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Disputes} from "../../contracts/solidity/Disputes.sol";
import {SymTest} from "./utils/SymTest.sol";

/// @notice The record operations of the Adjudicator and the registry, on one mapping.
contract DisputesHarness {
    using Disputes for mapping(bytes32 => Disputes.Dispute);

    mapping(bytes32 => Disputes.Dispute) internal _d;

    function register(
        bytes32 key,
        bytes32 id,
        uint64 version,
        bytes32 stateHash,
        uint256 challengeDuration,
        bool hasApp,
        bool isFinal,
        bool keep
    ) external returns (bool changed, uint64 timeout, bool same) {
        return _d.register(key, id, version, stateHash, challengeDuration, hasApp, isFinal, keep);
    }

    function conclude(bytes32 key, bytes32 id, bytes32 stateHash, bool root)
        external
        returns (bool changed)
    {
        (changed,) = _d.conclude(key, id, stateHash, root);
    }

    function concludeFinal(
        bytes32 id,
        uint64 version,
        bytes32 stateHash,
        uint256 challengeDuration,
        bool hasApp
    ) external {
        _d.concludeFinal(id, version, stateHash, challengeDuration, hasApp);
    }

    function record(bytes32 key) external view returns (Disputes.Dispute memory) {
        return _d[key];
    }
}

/// @notice From arbitrary records (symbolic storage) and any time below 2^64, one call of any
/// record operation with symbolic arguments, observed on any key:
/// - a concluded record never changes;
/// - a registered record changes by `register` only to a higher version, only in DISPUTE
///   before its timeout, keeping the timeout (or now for a final state), staying in DISPUTE;
/// - by `conclude` only to CONCLUDED with its state, version and duration kept, at or after
///   its (possibly extended) timeout;
/// - by `concludeFinal` only when it was not concluded.
contract DisputesCheck is SymTest {
    DisputesHarness internal h;

    function setUp() public {
        h = new DisputesHarness();
    }

    function _same(Disputes.Dispute memory a, Disputes.Dispute memory b)
        internal
        pure
        returns (bool)
    {
        return a.timeout == b.timeout && a.challengeDuration == b.challengeDuration
            && a.version == b.version && a.phase == b.phase && a.hasApp == b.hasApp
            && a.stateHash == b.stateHash;
    }

    function check_disputes_anyCall(bytes32 key, uint256 time) public {
        svm.enableSymbolicStorage(address(h));
        vm.assume(time < 1 << 64);
        vm.warp(time);
        Disputes.Dispute memory old = h.record(key);
        vm.assume(old.phase <= Disputes.CONCLUDED);
        bytes memory data = svm.createCalldata(address(h), false);
        bytes4 sel;
        assembly ("memory-safe") {
            sel := mload(add(data, 32))
        }
        if (canary != 0) vm.assume(bytes32(sel) == canary);
        (bool ok,) = address(h).call(data);
        if (!ok) return;
        Disputes.Dispute memory cur = h.record(key);
        if (_same(old, cur)) return;
        // the record under `key` changed
        assert(!(old.stateHash != 0 && old.phase == Disputes.CONCLUDED));
        if (old.stateHash == 0) return; // a first registration (or a final conclusion)
        if (sel == DisputesHarness.register.selector) {
            assert(cur.version > old.version);
            assert(old.phase == Disputes.DISPUTE && cur.phase == Disputes.DISPUTE);
            assert(time < old.timeout);
            assert(cur.timeout == old.timeout || cur.timeout == time);
        } else if (sel == DisputesHarness.conclude.selector) {
            assert(cur.phase == Disputes.CONCLUDED);
            assert(cur.stateHash == old.stateHash && cur.version == old.version);
            assert(cur.challengeDuration == old.challengeDuration && cur.hasApp == old.hasApp);
            assert(time >= cur.timeout && cur.timeout >= old.timeout);
        } else {
            assert(sel == DisputesHarness.concludeFinal.selector);
            assert(cur.phase == Disputes.CONCLUDED);
            assert(old.phase != Disputes.CONCLUDED);
        }
        _reached(sel);
    }

    // Canaries: each must fail (script/halmos), showing a change of a registered record is reached.

    function canary_disputes_refute(bytes32 key, uint256 time) public {
        canary = DisputesHarness.register.selector;
        check_disputes_anyCall(key, time);
    }

    function canary_disputes_conclude(bytes32 key, uint256 time) public {
        canary = DisputesHarness.conclude.selector;
        check_disputes_anyCall(key, time);
    }

    function canary_disputes_concludeFinal(bytes32 key, uint256 time) public {
        canary = DisputesHarness.concludeFinal.selector;
        check_disputes_anyCall(key, time);
    }
}
