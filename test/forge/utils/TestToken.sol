// SPDX-License-Identifier: Apache-2.0
// A minimal ERC20 for tests, with switches for the misbehaviours tokens show in the wild.
pragma solidity ^0.8.30;

/// @notice A plain ERC20 whose behaviour a test can change: return no value, return false,
/// revert, charge a fee on transfers, or call back into a target during transfers.
contract TestToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;

    enum Mode {
        Normal,
        NoReturn,
        ReturnFalse,
        Revert,
        Fee
    }

    Mode public mode;
    /// @notice Fee in basis points charged on transfers in `Fee` mode.
    uint256 public feeBps = 100;
    /// @notice If set, every transfer calls this target with `callbackData` first.
    address public callbackTarget;
    bytes public callbackData;

    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Approval(address indexed owner, address indexed spender, uint256 amount);

    function setMode(Mode m) external {
        mode = m;
    }

    function setCallback(address target, bytes calldata data) external {
        callbackTarget = target;
        callbackData = data;
    }

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        totalSupply += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        return _respond(_move(msg.sender, to, amount));
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        return _respond(_move(from, to, amount));
    }

    function _move(address from, address to, uint256 amount) private returns (bool) {
        if (mode == Mode.Revert) revert("TestToken: reverted");
        if (mode == Mode.ReturnFalse) return false;
        address target = callbackTarget;
        if (target != address(0)) {
            (bool ok, bytes memory ret) = target.call(callbackData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        balanceOf[from] -= amount;
        uint256 fee = mode == Mode.Fee ? amount * feeBps / 10_000 : 0;
        balanceOf[to] += amount - fee;
        totalSupply -= fee;
        emit Transfer(from, to, amount - fee);
        return true;
    }

    function _respond(bool ok) private view returns (bool) {
        if (mode == Mode.NoReturn) {
            assembly ("memory-safe") {
                return(0, 0)
            }
        }
        return ok;
    }
}
