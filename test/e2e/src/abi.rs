//! The functions the runs call besides those `perun_verifier::calldata` encodes: deposits and
//! the views that show what the contracts hold.
#![allow(missing_docs)] // `sol!` generates the call and return types of each function.

alloy_sol_types::sol! {
    /// The Adjudicator's and the registry's views.
    interface IDisputes {
        function registry() external view returns (address);
        function adjudicator() external view returns (address);
        function disputes(bytes32 channelID)
            external
            view
            returns (
                uint64 timeout,
                uint64 challengeDuration,
                uint64 version,
                uint8 phase,
                bytes32 stateHash,
                bool hasApp
            );
    }

    /// An asset holder's deposit and views.
    interface IAssetHolder {
        function deposit(bytes32 fundingID, uint256 amount) external payable;
        function holdings(bytes32 fundingID) external view returns (uint256);
        function settled(bytes32 channelID) external view returns (bool);
        function adjudicator() external view returns (address);
        function token() external view returns (address);
    }
}
