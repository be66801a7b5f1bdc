// SPDX-License-Identifier: MIT
// Forwards the ether it is sent to another address: the forwarded value reaches the receiver
// as an internal transfer (a call inside the transaction, not a transaction of its own), the
// case plain JSON-RPC history misses. `refuse` always reverts: a failed transaction that
// still costs its sender gas while its value never moves.
pragma solidity ^0.8.20;

contract EthForwarder {
    function forward(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok, "forward failed");
    }

    function split(address payable a, address payable b) external payable {
        uint256 half = msg.value / 2;
        (bool okA, ) = a.call{value: half}("");
        (bool okB, ) = b.call{value: msg.value - half}("");
        require(okA && okB, "split failed");
    }

    function refuse() external payable {
        revert("refused");
    }
}
