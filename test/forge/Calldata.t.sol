// SPDX-License-Identifier: Apache-2.0
// Calldata: the v1 reference vectors through the contracts, and hand-corrupted encodings that must fail.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    BalanceOverflow,
    InsufficientHoldings,
    MalformedCalldata,
    TimeoutOverflow
} from "../../contracts/solidity/Errors.sol";
import {RawCalldata} from "./utils/RawCalldata.sol";

contract CalldataTest is RawCalldata {
    uint256 internal constant VECTORS = 30;
    uint256 internal constant CAP = 1 << 255;
    uint256 internal constant A = 1 ether;

    address internal payee;

    function setUp() public override {
        super.setUp();
        payee = makeAddr("payee");
    }

    // -----------------------------------------------------------------------------------------
    // (a) The v1 reference vectors
    // -----------------------------------------------------------------------------------------

    function fixture() internal view returns (string memory json) {
        json = vm.readFile("test/fixtures/perun-v1.json");
        assertEq(vm.parseJsonUint(json, ".count"), VECTORS, "vector count");
    }

    function key(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".vectors[", vm.toString(i), "].", field);
    }

    function pkey(uint256 i, uint256 j, string memory field) internal pure returns (string memory) {
        return string.concat(
            ".vectors[", vm.toString(i), "].perParticipant[", vm.toString(j), "].", field
        );
    }

    function test_vectors_channelIDAndStateHash() public {
        string memory json = fixture();
        for (uint256 i; i < VECTORS; ++i) {
            bytes memory pe = vm.parseJsonBytes(json, key(i, "paramsEncoded"));
            bytes memory se = vm.parseJsonBytes(json, key(i, "stateEncoded"));
            bytes32 cid = vm.parseJsonBytes32(json, key(i, "channelID"));
            bytes32 sh = vm.parseJsonBytes32(json, key(i, "stateHash"));
            string memory id = vm.toString(i);
            Channel.Params memory p = abi.decode(pe, (Channel.Params));
            Channel.State memory s = abi.decode(se, (Channel.State));
            assertEq(abi.encode(p), pe, string.concat("params re-encode ", id));
            assertEq(abi.encode(s), se, string.concat("state re-encode ", id));
            assertEq(keccak256(pe), cid, string.concat("fixture channelID ", id));
            assertEq(adj.channelID(p), cid, string.concat("channelID ", id));
            assertEq(adj.hashState(s), sh, string.concat("hashState ", id));
            assertEq(s.channelID, cid, string.concat("state.channelID ", id));
            // The fixture's bytes as calldata: selector ‖ abi.encode(x) is the call itself.
            bytes memory ret = expectOk(address(adj), bytes.concat(adj.channelID.selector, pe));
            assertEq(abi.decode(ret, (bytes32)), cid, string.concat("raw channelID ", id));
            ret = expectOk(address(adj), bytes.concat(adj.hashState.selector, se));
            assertEq(abi.decode(ret, (bytes32)), sh, string.concat("raw hashState ", id));
        }
    }

    function test_vectors_withdrawals() public {
        string memory json = fixture();
        uint256 paid;
        uint256 refused;
        for (uint256 i; i < VECTORS; ++i) {
            Channel.Params memory p =
                abi.decode(vm.parseJsonBytes(json, key(i, "paramsEncoded")), (Channel.Params));
            bytes32 cid = vm.parseJsonBytes32(json, key(i, "channelID"));
            // Settle the channel with nothing held, then credit each participant its amount.
            vm.prank(address(adj));
            eth.setOutcome(cid, p.participants, new uint256[](p.participants.length));
            for (uint256 j; j < p.participants.length; ++j) {
                string memory id = string.concat(vm.toString(i), "/", vm.toString(j));
                bytes memory we = vm.parseJsonBytes(json, pkey(i, j, "withdrawal.encoded"));
                AssetHolder.WithdrawalAuth memory a = abi.decode(we, (AssetHolder.WithdrawalAuth));
                bytes32 fid = vm.parseJsonBytes32(json, pkey(i, j, "fundingID"));
                assertEq(
                    fundingID(cid, p.participants[j].ethAddress), fid, string.concat("fid ", id)
                );
                assertEq(
                    keccak256(we), vm.parseJsonBytes32(json, pkey(i, j, "withdrawal.hash")), id
                );
                assertEq(abi.encode(a), we, string.concat("auth re-encode ", id));
                assertEq(a.channelID, cid, id);
                assertEq(a.participant.ethAddress, p.participants[j].ethAddress, id);
                bytes memory sig = vm.parseJsonBytes(json, pkey(i, j, "withdrawal.signature"));
                if (a.amount < CAP) {
                    vm.store(
                        address(eth), keccak256(abi.encode(fid, uint256(0))), bytes32(a.amount)
                    );
                    vm.deal(address(eth), address(eth).balance + a.amount);
                    uint256 before = a.receiver.balance;
                    eth.withdraw(a, sig);
                    assertEq(a.receiver.balance, before + a.amount, string.concat("paid ", id));
                    assertEq(eth.holdings(fid), 0, id);
                    ++paid;
                } else {
                    // Beyond what an entry can hold: the signature passes, the holdings refuse.
                    vm.expectRevert(InsufficientHoldings.selector);
                    eth.withdraw(a, sig);
                    ++refused;
                }
            }
        }
        assertGt(paid, 0, "some vectors paid out");
        assertEq(paid + refused, 100, "every participant of every vector (10 x (2 + 3 + 5))");
    }

    function test_vectors_stateSignaturesRegister() public {
        string memory json = fixture();
        uint256 registered;
        for (uint256 i; i < VECTORS; ++i) {
            Channel.Params memory p =
                abi.decode(vm.parseJsonBytes(json, key(i, "paramsEncoded")), (Channel.Params));
            Channel.State memory s =
                abi.decode(vm.parseJsonBytes(json, key(i, "stateEncoded")), (Channel.State));
            if (!p.ledgerChannel || p.virtualChannel || s.outcome.locked.length != 0) continue;
            bytes[] memory sigs = new bytes[](p.participants.length);
            for (uint256 j; j < sigs.length; ++j) {
                sigs[j] = vm.parseJsonBytes(json, pkey(i, j, "stateSignature"));
            }
            // Some vectors' balances add up past 2^256 (v1 panicked there), and some challenge
            // durations run the timeout past 2^64.
            bool sumOverflows = rowSumOverflows(s.outcome.balances);
            bool late = !s.isFinal && START + uint64(p.challengeDuration) > type(uint64).max;
            if (sumOverflows) vm.expectRevert(BalanceOverflow.selector);
            else if (late) vm.expectRevert(TimeoutOverflow.selector);
            adj.register(Channel.SignedState(p, s, sigs), none());
            if (sumOverflows || late) continue;
            (,, uint64 version,, bytes32 h,) = record(s.channelID);
            assertEq(h, vm.parseJsonBytes32(json, key(i, "stateHash")), vm.toString(i));
            assertEq(version, s.version);
            ++registered;
        }
        assertGt(registered, 0, "some vectors registered");
    }

    function rowSumOverflows(uint256[][] memory rows) internal pure returns (bool) {
        for (uint256 a; a < rows.length; ++a) {
            uint256 sum;
            for (uint256 i; i < rows[a].length; ++i) {
                unchecked {
                    sum += rows[a][i];
                }
                if (sum < rows[a][i]) return true;
            }
        }
        return false;
    }

    // -----------------------------------------------------------------------------------------
    // (b) Malformed calldata: channelID
    // -----------------------------------------------------------------------------------------

    /// @dev channelID calldata of 3 participants, the last with a 5-byte ccAddress (padded).
    function channelIDCall() internal returns (bytes memory cd, uint256 p) {
        Channel.Params memory params_ = params(0, 3, address(trivial), true, false, 5);
        params_.participants[2].ccAddress = hex"0102030405";
        cd = abi.encodeCall(adj.channelID, (params_));
        p = argPos(cd, 0);
        bytes memory ret = expectOk(address(adj), cd);
        assertEq(abi.decode(ret, (bytes32)), idOf(params_), "canonical calldata");
    }

    function test_malformed_channelID_participantsOffsetPastEnd() public {
        (bytes memory cd, uint256 p) = channelIDCall();
        wr(cd, p + 64, cd.length - p);
        expectMalformed(address(adj), cd);
        wr(cd, p + 64, cd.length - p + 320);
        expectMalformed(address(adj), cd);
    }

    function test_malformed_channelID_participantsOffsetTooLarge() public {
        (bytes memory cd, uint256 p) = channelIDCall();
        uint256 o = rd(cd, p + 64);
        wr(cd, p + 64, o + 2 ** 32);
        expectMalformed(address(adj), cd);
        wr(cd, p + 64, o + 2 ** 255);
        expectMalformed(address(adj), cd);
    }

    function test_malformed_channelID_participantsLengthPastEnd() public {
        (bytes memory cd, uint256 p) = channelIDCall();
        uint256 parts = member(cd, p, 2);
        wr(cd, parts, 100);
        expectMalformed(address(adj), cd);
        wr(cd, parts, 2 ** 32 + 3);
        expectMalformed(address(adj), cd);
    }

    function test_malformed_channelID_lastParticipantOffsetTooLarge() public {
        (bytes memory cd, uint256 p) = channelIDCall();
        uint256 slot = member(cd, p, 2) + 32 + 2 * 32;
        wr(cd, slot, rd(cd, slot) + 2 ** 32);
        expectMalformed(address(adj), cd);
    }

    function test_malformed_channelID_ccAddressLengthPastEnd() public {
        (bytes memory cd, uint256 p) = channelIDCall();
        uint256 parts = member(cd, p, 2);
        uint256 cc = member(cd, elemPos(cd, parts, 2), 1);
        wr(cd, cc, 33); // 5 bytes and padding are there, 33 are not
        expectMalformed(address(adj), cd);
        wr(cd, cc, 2 ** 32);
        expectMalformed(address(adj), cd);
    }

    function test_malformed_channelID_truncated() public {
        (bytes memory cd, uint256 p) = channelIDCall();
        // The params head (6 words) still fits, so solc's dispatcher lets it through.
        expectMalformed(address(adj), slice(cd, 0, p + 6 * 32));
        // Cut into the last ccAddress's padding, and a word short.
        expectMalformed(address(adj), slice(cd, 0, cd.length - 1));
        expectMalformed(address(adj), slice(cd, 0, cd.length - 32));
    }

    function test_dispatcher_channelID_shortCalldata_emptyRevert() public {
        (bytes memory cd, uint256 p) = channelIDCall();
        expectEmptyRevert(address(adj), slice(cd, 0, 4));
        expectEmptyRevert(address(adj), slice(cd, 0, 36));
        expectEmptyRevert(address(adj), slice(cd, 0, p + 5 * 32)); // head is 6 words
        bytes memory far = bytes.concat(cd);
        wr(far, 4, 2 ** 32); // the argument's offset: no head fits there
        expectEmptyRevert(address(adj), far);
        wr(far, 4, 2 ** 64);
        expectEmptyRevert(address(adj), far);
    }

    /// @dev The views check what they read, and nothing else (calldata.rs, "Rules"):
    /// channelID reads only the participants' span, so a dirty bool elsewhere in the head is
    /// hashed as it lies: the result is not the canonical ID of any params.
    /// @dev The view gives v1's `keccak256(abi.encode(params))` or nothing: a dirty bool is
    /// not a canonical encoding.
    function test_malformed_channelID_dirtyBool() public {
        (bytes memory cd, uint256 p) = channelIDCall();
        wr(cd, p + 4 * 32, 2); // ledgerChannel = 2
        expectMalformed(address(adj), cd);
    }

    // -----------------------------------------------------------------------------------------
    // (b) Malformed calldata: hashState
    // -----------------------------------------------------------------------------------------

    /// @dev hashState calldata of a state with 1 byte of appData (31 bytes of padding).
    function hashStateCall() internal returns (bytes memory cd, uint256 s) {
        Channel.State memory st = state(ledger2(address(0), 1), 7, bals2(1, 2), false);
        st.appData = hex"aa";
        cd = abi.encodeCall(adj.hashState, (st));
        s = argPos(cd, 0);
        assertEq(abi.decode(expectOk(address(adj), cd), (bytes32)), hashOf(st), "canonical");
    }

    function test_malformed_hashState_appDataOffsetPastEnd() public {
        (bytes memory cd, uint256 s) = hashStateCall();
        wr(cd, s + 96, cd.length - s);
        expectMalformed(address(adj), cd);
        wr(cd, s + 96, cd.length - s - 16); // the length word straddles the end
        expectMalformed(address(adj), cd);
    }

    function test_malformed_hashState_appDataOffsetTooLarge() public {
        (bytes memory cd, uint256 s) = hashStateCall();
        wr(cd, s + 96, rd(cd, s + 96) + 2 ** 32);
        expectMalformed(address(adj), cd);
    }

    function test_malformed_hashState_appDataLengthPastEnd() public {
        (bytes memory cd, uint256 s) = hashStateCall();
        uint256 app = member(cd, s, 3);
        wr(cd, app, 33);
        expectMalformed(address(adj), cd);
        wr(cd, app, 2 ** 32 + 1);
        expectMalformed(address(adj), cd);
    }

    function test_malformed_hashState_truncated() public {
        (bytes memory cd, uint256 s) = hashStateCall();
        // The state head (5 words) fits; appData does not.
        expectMalformed(address(adj), slice(cd, 0, s + 5 * 32));
        // The appData byte is there, its padding is not.
        expectMalformed(address(adj), slice(cd, 0, cd.length - 31));
    }

    function test_dispatcher_hashState_shortCalldata_emptyRevert() public {
        (bytes memory cd, uint256 s) = hashStateCall();
        expectEmptyRevert(address(adj), slice(cd, 0, 4));
        expectEmptyRevert(address(adj), slice(cd, 0, 35));
        expectEmptyRevert(address(adj), slice(cd, 0, s + 4 * 32)); // head is 5 words
    }

    function test_malformed_hashState_dirtyVersion() public {
        (bytes memory cd, uint256 s) = hashStateCall();
        wr(cd, s + 32, rd(cd, s + 32) | 1 << 64);
        expectMalformed(address(adj), cd);
    }

    function testFuzz_hashState_corruptedWord_neverCanonical(uint256 wordIdx, uint256 value)
        public
    {
        (bytes memory cd,) = hashStateCall();
        bytes32 canonical = abi.decode(expectOk(address(adj), cd), (bytes32));
        uint256 pos = 4 + 32 * bound(wordIdx, 0, (cd.length - 4) / 32 - 1);
        bool same = rd(cd, pos) == value;
        wr(cd, pos, value);
        (bool ok, bytes memory ret) = address(adj).call(cd);
        if (ok && !same) {
            assertNotEq(abi.decode(ret, (bytes32)), canonical, "a changed encoding hashed equal");
        }
        if (!ok) {
            assertTrue(
                ret.length == 0
                    || keccak256(ret)
                        == keccak256(abi.encodeWithSelector(MalformedCalldata.selector)),
                "only MalformedCalldata or the dispatcher's empty revert"
            );
        }
        if (same) assertTrue(ok);
    }

    // -----------------------------------------------------------------------------------------
    // (b) Malformed calldata: register
    // -----------------------------------------------------------------------------------------

    function registerCall() internal view returns (bytes memory cd, Channel.Params memory p) {
        p = ledger2(address(0), 1);
        Channel.State memory s = state(p, 3, bals2(1, 2), false);
        cd = abi.encodeCall(adj.register, (signed(p, s), none()));
    }

    /// @dev Asserts that nothing was registered, then that the untouched calldata registers.
    function registerStillWorks(bytes memory clean, Channel.Params memory p) internal {
        (,,,, bytes32 h,) = record(idOf(p));
        assertEq(h, bytes32(0), "nothing registered");
        expectOk(address(adj), clean);
        (,,,, h,) = record(idOf(p));
        assertNotEq(h, bytes32(0), "the clean call registers");
    }

    function test_register_resignedCalldata_accepted() public {
        // The patch-and-re-sign machinery used below: a changed balance, re-signed, registers.
        (bytes memory cd, Channel.Params memory p) = registerCall();
        uint256 ss = argPos(cd, 0);
        uint256 s = member(cd, ss, 1);
        uint256 row = elemPos(cd, member(cd, member(cd, s, 2), 2), 0);
        wr(cd, row + 32, 0); // balances[0][0] = 0
        bytes32 h = spanHash(cd, s, stateEnd(cd, s));
        resign(cd, member(cd, ss, 2), h, p);
        expectOk(address(adj), cd);
        (,,,, bytes32 stored,) = record(idOf(p));
        assertEq(stored, h);
        assertEq(h, hashOf(state(p, 3, bals2(0, 2), false)), "the patched state is canonical");
    }

    function test_malformed_register_dirtyLedgerBool() public {
        (bytes memory cd, Channel.Params memory p) = registerCall();
        bytes memory clean = bytes.concat(cd);
        uint256 params_ = member(cd, argPos(cd, 0), 0);
        wr(cd, params_ + 4 * 32, 2);
        expectMalformed(address(adj), cd);
        wr(cd, params_ + 4 * 32, 1 << 255 | 1);
        expectMalformed(address(adj), cd);
        registerStillWorks(clean, p);
    }

    function test_malformed_register_dirtyParticipantAddress() public {
        (bytes memory cd, Channel.Params memory p) = registerCall();
        bytes memory clean = bytes.concat(cd);
        uint256 ss = argPos(cd, 0);
        uint256 pp = member(cd, ss, 0);
        uint256 part0 = elemPos(cd, member(cd, pp, 2), 0);
        wr(cd, part0, rd(cd, part0) | 1 << 160);
        // The state must name the (dirty) params' ID, or InvalidParams comes first.
        uint256 s = member(cd, ss, 1);
        wr(cd, s, uint256(spanHash(cd, pp, paramsEnd(cd, pp))));
        expectMalformed(address(adj), cd);
        registerStillWorks(clean, p);
    }

    function test_malformed_register_dirtyVersion() public {
        (bytes memory cd, Channel.Params memory p) = registerCall();
        bytes memory clean = bytes.concat(cd);
        uint256 ss = argPos(cd, 0);
        uint256 s = member(cd, ss, 1);
        wr(cd, s + 32, rd(cd, s + 32) | 1 << 64);
        // Validly signed by both, so the version is the first thing that fails.
        resign(cd, member(cd, ss, 2), spanHash(cd, s, stateEnd(cd, s)), p);
        expectMalformed(address(adj), cd);
        registerStillWorks(clean, p);
    }

    function test_malformed_register_dirtyIsFinal() public {
        (bytes memory cd, Channel.Params memory p) = registerCall();
        bytes memory clean = bytes.concat(cd);
        uint256 ss = argPos(cd, 0);
        uint256 s = member(cd, ss, 1);
        wr(cd, s + 4 * 32, 3);
        resign(cd, member(cd, ss, 2), spanHash(cd, s, stateEnd(cd, s)), p);
        expectMalformed(address(adj), cd);
        registerStillWorks(clean, p);
    }

    function test_malformed_register_stateOffsetPastEnd() public {
        (bytes memory cd, Channel.Params memory p) = registerCall();
        bytes memory clean = bytes.concat(cd);
        uint256 ss = argPos(cd, 0);
        wr(cd, ss + 32, cd.length - ss);
        expectMalformed(address(adj), cd);
        wr(cd, ss + 32, 2 ** 32);
        expectMalformed(address(adj), cd);
        registerStillWorks(clean, p);
    }

    function test_malformed_register_sigsLengthPastEnd() public {
        (bytes memory cd, Channel.Params memory p) = registerCall();
        bytes memory clean = bytes.concat(cd);
        uint256 sigs = member(cd, argPos(cd, 0), 2);
        wr(cd, sigs, 50);
        expectMalformed(address(adj), cd);
        registerStillWorks(clean, p);
    }

    function test_malformed_register_signatureLengthPastEnd() public {
        (bytes memory cd, Channel.Params memory p) = registerCall();
        bytes memory clean = bytes.concat(cd);
        uint256 sigs = member(cd, argPos(cd, 0), 2);
        uint256 last = elemPos(cd, sigs, 1);
        wr(cd, last, 65 + 64); // the last signature runs past the end
        expectMalformed(address(adj), cd);
        registerStillWorks(clean, p);
    }

    function test_malformed_register_truncated() public {
        // Move the (empty) subChannels array in front of the signed state, so that cutting
        // the calldata's end cuts the signatures while both argument heads still fit.
        (bytes memory cd, Channel.Params memory p) = registerCall();
        uint256 ss = argPos(cd, 0);
        bytes memory moved = bytes.concat(
            slice(cd, 0, 4),
            abi.encode(uint256(0x60), uint256(0x40), uint256(0)),
            slice(cd, ss, cd.length - 32)
        );
        expectMalformed(address(adj), slice(moved, 0, moved.length - 40));
        expectMalformed(address(adj), slice(moved, 0, moved.length - 96));
        registerStillWorks(moved, p); // the moved layout itself is well-formed
    }

    function test_dispatcher_register_shortCalldata_emptyRevert() public {
        (bytes memory cd,) = registerCall();
        expectEmptyRevert(address(adj), slice(cd, 0, 4));
        expectEmptyRevert(address(adj), slice(cd, 0, 68));
        expectEmptyRevert(address(adj), slice(cd, 0, cd.length - 32)); // subChannels cut off
    }

    // -----------------------------------------------------------------------------------------
    // (b) Malformed calldata: an index map, read when concluding
    // -----------------------------------------------------------------------------------------

    /// @dev A ledger channel locking funds in a ledger sub-channel (index map [0, 1]); if
    /// `dirty`, index map entry 1 carries bit 16, the parent re-signed over that encoding.
    function subChannelCalls(bool dirty)
        internal
        view
        returns (bytes memory reg, bytes memory conc, bytes32 cid)
    {
        Channel.Params memory p = ledger2(address(0), 1);
        Channel.Params memory q = params(0, 2, address(0), false, false, 2);
        Channel.State memory qs = state(q, 1, bals2(3, 4), false);
        Channel.State memory ps = state(p, 1, bals2(10, 20), false);
        ps.outcome.locked = new Channel.SubAlloc[](1);
        uint256[] memory total = new uint256[](1);
        total[0] = 7;
        uint16[] memory im = new uint16[](2);
        im[1] = 1;
        ps.outcome.locked[0] = Channel.SubAlloc(idOf(q), total, im);
        reg = abi.encodeCall(adj.register, (signed(p, ps), one(signed(q, qs))));
        conc = abi.encodeCall(adj.conclude, (p, ps, oneState(qs)));
        cid = idOf(p);
        if (!dirty) return (reg, conc, cid);
        uint256 ss = argPos(reg, 0);
        uint256 s = member(reg, ss, 1);
        uint256 entry = indexMapEntry(reg, s, 1);
        wr(reg, entry, 1 | 1 << 16);
        resign(reg, member(reg, ss, 2), spanHash(reg, s, stateEnd(reg, s)), p);
        wr(conc, indexMapEntry(conc, argPos(conc, 1), 1), 1 | 1 << 16);
    }

    function indexMapEntry(bytes memory cd, uint256 s, uint256 j) internal pure returns (uint256) {
        uint256 locked = member(cd, member(cd, s, 2), 3);
        uint256 im = member(cd, elemPos(cd, locked, 0), 2);
        return im + 32 + 32 * j;
    }

    function test_conclude_subChannel_cleanIndexMap() public {
        (bytes memory reg, bytes memory conc, bytes32 cid) = subChannelCalls(false);
        expectOk(address(adj), reg);
        vm.warp(START + CD);
        expectOk(address(adj), conc);
        assertTrue(eth.settled(cid), "concluded and pushed");
    }

    /// @dev register never reads an index map itself (it checks the sub-allocation's ID and
    /// totals), but a state it records must be canonical, and a dirty uint16 is not: as in v1
    /// (solc's decoder), a state whose index map is dirty is refused at register already, even
    /// when every participant signed that very encoding.
    function test_malformed_register_dirtyIndexMap() public {
        (bytes memory reg,, bytes32 cid) = subChannelCalls(true);
        expectMalformed(address(adj), reg);
        assertFalse(eth.settled(cid));
    }

    // -----------------------------------------------------------------------------------------
    // (b) Malformed calldata: withdraw
    // -----------------------------------------------------------------------------------------

    /// @dev A settled channel with `A` for participant 0, and its withdrawal of `A` to `payee`.
    function withdrawCall() internal returns (bytes memory cd, uint256 w, bytes32 fid) {
        Channel.Params memory p = ledger2(address(0), 1);
        p.participants[0].ccAddress = hex"c0ffee";
        depositETH(p, 0, A);
        vm.prank(address(adj));
        eth.setOutcome(idOf(p), p.participants, bals2(A, 0));
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, A);
        cd = abi.encodeCall(eth.withdraw, (a, sig));
        w = argPos(cd, 0);
        fid = fundingID(idOf(p), addrs[0]);
    }

    /// @dev Nothing was paid; then the untouched calldata pays.
    function withdrawStillWorks(bytes memory clean, bytes32 fid) internal {
        assertEq(eth.holdings(fid), A, "nothing debited");
        assertEq(payee.balance, 0, "nothing paid");
        expectOk(address(eth), clean);
        assertEq(payee.balance, A, "the clean call pays");
    }

    function test_malformed_withdraw_dirtyParticipantAddress() public {
        (bytes memory cd, uint256 w, bytes32 fid) = withdrawCall();
        bytes memory clean = bytes.concat(cd);
        uint256 part = member(cd, w, 1);
        wr(cd, part, rd(cd, part) | 1 << 160);
        expectMalformed(address(eth), cd);
        withdrawStillWorks(clean, fid);
    }

    function test_malformed_withdraw_dirtyReceiver() public {
        (bytes memory cd, uint256 w, bytes32 fid) = withdrawCall();
        bytes memory clean = bytes.concat(cd);
        wr(cd, w + 64, rd(cd, w + 64) | 1 << 200);
        expectMalformed(address(eth), cd);
        withdrawStillWorks(clean, fid);
    }

    function test_malformed_withdraw_participantOffset() public {
        (bytes memory cd, uint256 w, bytes32 fid) = withdrawCall();
        bytes memory clean = bytes.concat(cd);
        uint256 o = rd(cd, w + 32);
        wr(cd, w + 32, o + 2 ** 32);
        expectMalformed(address(eth), cd);
        wr(cd, w + 32, cd.length - w);
        expectMalformed(address(eth), cd);
        withdrawStillWorks(clean, fid);
    }

    function test_malformed_withdraw_ccAddress() public {
        (bytes memory cd, uint256 w, bytes32 fid) = withdrawCall();
        bytes memory clean = bytes.concat(cd);
        uint256 part = member(cd, w, 1);
        uint256 o = rd(cd, part + 32);
        wr(cd, part + 32, o + 2 ** 32); // ccAddress offset too large
        expectMalformed(address(eth), cd);
        wr(cd, part + 32, o);
        uint256 cc = member(cd, part, 1);
        wr(cd, cc, 2000); // ccAddress length past the end
        expectMalformed(address(eth), cd);
        wr(cd, cc, 2 ** 32 + 3);
        expectMalformed(address(eth), cd);
        withdrawStillWorks(clean, fid);
    }

    function test_malformed_withdraw_truncatedAuth() public {
        // Signature first, then the authorization; cut the authorization after its head.
        (bytes memory cd, uint256 w, bytes32 fid) = withdrawCall();
        uint256 sigPos = argPos(cd, 1);
        bytes memory sigEnc = slice(cd, sigPos, sigPos + 32 + 96);
        bytes memory authEnc = slice(cd, w, sigPos);
        bytes memory moved = bytes.concat(
            slice(cd, 0, 4), abi.encode(uint256(64 + sigEnc.length), uint256(64)), sigEnc, authEnc
        );
        uint256 headEnd = moved.length - authEnc.length + 4 * 32;
        expectMalformed(address(eth), slice(moved, 0, headEnd));
        expectMalformed(address(eth), slice(moved, 0, moved.length - 1));
        withdrawStillWorks(moved, fid); // the moved layout is well-formed
    }

    function test_dispatcher_withdraw_emptyRevert() public {
        (bytes memory cd,, bytes32 fid) = withdrawCall();
        bytes memory clean = bytes.concat(cd);
        expectEmptyRevert(address(eth), slice(cd, 0, 4));
        expectEmptyRevert(address(eth), slice(cd, 0, 68));
        // The signature is a `bytes calldata` argument: solc's decoder checks it.
        uint256 sigPos = argPos(cd, 1);
        wr(cd, sigPos, 1000);
        expectEmptyRevert(address(eth), cd);
        wr(cd, sigPos, 65);
        expectEmptyRevert(address(eth), slice(cd, 0, cd.length - 32));
        withdrawStillWorks(clean, fid);
    }

    /// @dev Whatever word of a valid withdrawal is overwritten, the call fails with a custom
    /// error or the dispatcher's empty revert, or pays exactly the authorized amount to the
    /// authorized receiver.
    function testFuzz_withdraw_corruptedWord_neverPaysOtherwise(uint256 wordIdx, uint256 value)
        public
    {
        (bytes memory cd,, bytes32 fid) = withdrawCall();
        uint256 pos = 4 + 32 * bound(wordIdx, 0, (cd.length - 4) / 32 - 1);
        bool same = rd(cd, pos) == value;
        wr(cd, pos, value);
        uint256 held = address(eth).balance;
        (bool ok, bytes memory ret) = address(eth).call(cd);
        if (ok) {
            assertEq(payee.balance, A, "paid the authorized amount to the authorized receiver");
            assertEq(eth.holdings(fid), 0);
            assertEq(address(eth).balance, held - A);
        } else {
            assertTrue(ret.length == 0 || ret.length == 4, "a custom error or an empty revert");
            assertEq(eth.holdings(fid), A);
            assertEq(address(eth).balance, held);
        }
        if (same) assertTrue(ok, "the unchanged call pays");
    }
}
