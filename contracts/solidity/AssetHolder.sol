// SPDX-License-Identifier: Apache-2.0
// The asset holder base: deposits per funding ID, outcomes set by the Adjudicator, withdrawals.
pragma solidity ^0.8.30;

import {ArrayRef, BytesRef, Calldata, WithdrawalAuthRef} from "./Calldata.sol";
import {Channel} from "./Channel.sol";
import {
    AlreadySettled,
    BalanceOverflow,
    InsufficientHoldings,
    NotSettled,
    OnlyAdjudicator,
    OutcomeLengthMismatch,
    PartialWithdrawal,
    Reentrancy
} from "./Errors.sol";
import {Sig} from "./Sig.sol";

/// @title AssetHolder
/// @notice Holds one asset for every channel (SPEC section 4). Funds are kept per funding ID,
/// `keccak256(abi.encode(channelID, participant))`; the Adjudicator sets a channel's outcome
/// once; then each participant withdraws with a signed `WithdrawalAuth`. Subcontracts move the
/// asset itself (`_pull`, `_payOut`).
abstract contract AssetHolder {
    /// @notice A participant's authorization to withdraw `amount` of its funds in a channel to
    /// `receiver`, signed by the participant over `abi.encode(auth)`.
    struct WithdrawalAuth {
        bytes32 channelID;
        Channel.Participant participant;
        address payable receiver;
        uint256 amount;
    }

    /// @notice Emitted when `amount` is credited to `fundingID`.
    event Deposited(bytes32 indexed fundingID, uint256 amount);
    /// @notice Emitted when `amount` of `fundingID`'s funds is paid to `receiver`.
    event Withdrawn(bytes32 indexed fundingID, uint256 amount, address receiver);
    /// @notice Emitted when the Adjudicator sets a channel's outcome.
    event OutcomeSet(bytes32 indexed channelID);

    /// @dev The top bit of a holdings entry: set in a channel ID's entry once the channel's
    /// outcome is set. Gas: `setOutcome` reads the channel ID's entry anyway (v1 counts funds
    /// deposited under it), so marking the channel settled there costs one write to a slot
    /// already paid for, instead of a separate cold slot (2,100 gas less per asset and
    /// conclusion). The price: an entry holds at most 2^255 - 1 (a deposit beyond reverts with
    /// `BalanceOverflow`, where v1 reverted beyond 2^256 - 1), which no real asset reaches.
    uint256 private constant SETTLED = 1 << 255;

    /// @dev Funds per funding ID (and under a channel ID itself), with the `SETTLED` bit.
    mapping(bytes32 => uint256) private _holdings;
    /// @notice The Adjudicator, the only caller of `setOutcome`.
    address public immutable adjudicator;

    /// @dev Transient slot of the reentrancy guard (Cancun's TSTORE: no storage write).
    uint256 private constant _GUARD = uint256(keccak256("perun.AssetHolder.guard"));

    /// @param adjudicator_ The Adjudicator whose outcomes this holder accepts.
    constructor(address adjudicator_) {
        adjudicator = adjudicator_;
    }

    /// @dev Rejects a call made while a guarded call of this holder runs.
    modifier nonReentrant() {
        uint256 slot = _GUARD;
        bool entered;
        assembly ("memory-safe") {
            entered := tload(slot)
            tstore(slot, 1)
        }
        if (entered) revert Reentrancy();
        _;
        assembly ("memory-safe") {
            tstore(slot, 0)
        }
    }

    /// @notice Funds held for a funding ID (or under a channel ID itself).
    function holdings(bytes32 fundingID) external view returns (uint256) {
        return _holdings[fundingID] & ~SETTLED;
    }

    /// @notice Whether a channel's outcome is set.
    function settled(bytes32 channelID) external view returns (bool) {
        return _holdings[channelID] & SETTLED != 0;
    }

    /// @notice Credits `amount` to `fundingID`; anyone may fund any funding ID.
    function deposit(bytes32 fundingID, uint256 amount) external payable virtual;

    /// @notice Sets a channel's outcome: if what is held for it (its participants' funding IDs,
    /// plus anything under the channel ID itself) covers `newBals`, the participants' holdings
    /// become `newBals`; otherwise each keeps what it deposited. Only the Adjudicator, once.
    function setOutcome(bytes32 channelID, Channel.Participant[] calldata, uint256[] calldata)
        external
    {
        if (msg.sender != adjudicator) revert OnlyAdjudicator();
        ArrayRef parts = Calldata.arrayArg(1);
        ArrayRef newBals = Calldata.arrayArg(2);
        uint256 n = parts.length();
        if (n != newBals.length()) revert OutcomeLengthMismatch();
        _applyOutcome(channelID, parts.start(), newBals.start(), n);
        emit OutcomeSet(channelID);
    }

    /// @dev The core of `setOutcome` in one assembly block (the loops over calldata arrays
    /// through the checked views cost more in calls than in work): fails if the channel is
    /// settled; adds up what is held for it (its ID's entry, used up as in v1, and each
    /// participant's) and the outcome, reading each participant's address with the views'
    /// checks; if the holdings cover the outcome, writes it (each balance below 2^255); marks the
    /// channel settled. A channel whose participants repeat an address is treated as
    /// underfunded: everyone keeps its deposit. (v1 counted a repeated participant's holdings
    /// twice and let its last balance win, so such a channel could take out more than was
    /// deposited for it.) `parts` and `bals` are the first element slots of the checked
    /// `Participant[]` and `uint256[]` arrays of length `n`.
    function _applyOutcome(bytes32 channelID, uint256 parts, uint256 bals, uint256 n) private {
        bytes4 overflow = BalanceOverflow.selector;
        bytes4 alreadySettled = AlreadySettled.selector;
        // Memory-safe: the slots list is scratch past the free memory pointer, never allocated.
        assembly ("memory-safe") {
            // _holdings is the mapping in slot 0: entry k lives at keccak256(k ‖ 0).
            mstore(0, channelID)
            mstore(32, 0)
            let channelSlot := keccak256(0, 64)
            let sumHeld := sload(channelSlot)
            if shr(255, sumHeld) {
                mstore(0, alreadySettled)
                revert(0, 4)
            }
            let sumOutcome := 0
            let repeated := 0
            let cds := calldatasize()
            // The participants' entry slots, kept for the second loop.
            let slots := mload(0x40)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                // participant i's address, checked as `participant(i).ethAddress()` checks it
                let o := calldataload(add(parts, shl(5, i)))
                let part := add(parts, o)
                let who := calldataload(part)
                if or(shr(32, o), or(gt(add(part, 32), cds), shr(160, who))) {
                    mstore(0, 0x59170bf000000000000000000000000000000000000000000000000000000000)
                    revert(0, 4)
                }
                // funding ID keccak256(channelID ‖ who), then its entry
                mstore(0, channelID)
                mstore(32, who)
                mstore(0, keccak256(0, 64))
                mstore(32, 0)
                let slot := keccak256(0, 64)
                for { let j := 0 } lt(j, i) { j := add(j, 1) } {
                    repeated := or(repeated, eq(mload(add(slots, shl(5, j))), slot))
                }
                mstore(add(slots, shl(5, i)), slot)
                let held := sload(slot)
                let bal := calldataload(add(bals, shl(5, i)))
                sumHeld := add(sumHeld, held)
                sumOutcome := add(sumOutcome, bal)
                // An unsigned sum that wrapped is smaller than its summand.
                if or(lt(sumHeld, held), lt(sumOutcome, bal)) {
                    mstore(0, overflow)
                    revert(0, 4)
                }
            }
            if iszero(or(repeated, lt(sumHeld, sumOutcome))) {
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    let bal := calldataload(add(bals, shl(5, i)))
                    if shr(255, bal) {
                        mstore(0, overflow)
                        revert(0, 4)
                    }
                    sstore(mload(add(slots, shl(5, i))), bal)
                }
            }
            // The channel ID's funds are used up, and the channel is settled.
            sstore(channelSlot, shl(255, 1))
        }
    }

    /// @notice Pays `authorization.amount` of a participant's funds in a settled channel to
    /// `authorization.receiver`, with the participant's signature over the authorization.
    function withdraw(WithdrawalAuth calldata, bytes calldata) external nonReentrant {
        (bytes32 channelID, address participant, bytes32 h, uint256 amount, address receiver) =
            Calldata.withdrawalAuthArg(0).decode();
        BytesRef signature = Calldata.bytesArg(1);
        if (_holdings[channelID] & SETTLED == 0) revert NotSettled();
        Sig.verify(Sig.ethSignedDigest(h), signature, participant);
        bytes32 fid = fundingID(channelID, participant);
        uint256 held = _holdings[fid];
        if (held < amount) revert InsufficientHoldings();
        // A withdrawal to someone else takes the whole holdings: its authorization (which names
        // no holder and no nonce, as in v1) cannot then be replayed here while holdings last.
        if (receiver != participant && amount != held) revert PartialWithdrawal();
        unchecked {
            // Checked just above; a participant's entry never has the SETTLED bit (a funding
            // ID is a hash of 64 bytes, never a channel ID).
            _holdings[fid] = held - amount;
        }
        // State first, then the payout (SPEC section 8), under the reentrancy guard.
        _payOut(payable(receiver), amount);
        emit Withdrawn(fid, amount, receiver);
    }

    /// @notice `keccak256(abi.encode(channelID, participant))`.
    function fundingID(bytes32 channelID, address participant) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0, channelID)
            mstore(32, participant)
            id := keccak256(0, 64)
        }
    }

    /// @dev Credits `amount` to `fid` and emits `Deposited`.
    function _credit(bytes32 fid, uint256 amount) internal {
        uint256 entry = _holdings[fid];
        uint256 sum;
        unchecked {
            // Both terms are below 2^255 after the first check, so the sum cannot wrap.
            if (amount >= SETTLED) revert BalanceOverflow();
            sum = (entry & ~SETTLED) + amount;
        }
        if (sum >= SETTLED) revert BalanceOverflow();
        _holdings[fid] = (entry & SETTLED) | sum;
        emit Deposited(fid, amount);
    }

    /// @dev Pays `amount` of the asset to `receiver`.
    function _payOut(address payable receiver, uint256 amount) internal virtual;
}
