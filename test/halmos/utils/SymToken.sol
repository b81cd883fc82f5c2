// An ERC20 for the symbolic checks whose behaviour is all in its (symbolic) storage: balances, allowances, a fee on every transfer, and whether it returns a value.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @notice With halmos's symbolic storage this is any standard token, any fee-on-transfer token
/// (the fee, up to the amount, is burned), and any token that returns nothing: every balance,
/// allowance, the fee and the flag are free symbols. Its arithmetic is linear (the forge tests'
/// TestToken computes a fee in basis points, a multiplication and a division the solver is slow
/// on).
contract SymToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    /// @notice Taken from every transfer (all of it if the amount is smaller) and burned.
    uint256 public fee;
    /// @notice Whether `transfer` and `transferFrom` return no value.
    bool public noReturn;

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return _respond();
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
        return _respond();
    }

    function _move(address from, address to, uint256 amount) private {
        balanceOf[from] -= amount;
        uint256 f = fee < amount ? fee : amount;
        balanceOf[to] += amount - f;
    }

    function _respond() private view returns (bool) {
        if (noReturn) {
            assembly ("memory-safe") {
                return(0, 0)
            }
        }
        return true;
    }
}
