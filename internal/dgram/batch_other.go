//go:build !linux

package dgram

import (
	"net"
	"sync/atomic"

	"github.com/memogram/memogram/transport"
)

// Only Linux has sendmmsg and recvmmsg here; elsewhere the batched methods
// fall back to one datagram per call.
const batchSupported = false

// batchState is the part of Core the batched calls use: here only the
// flag they would set.
type batchState struct {
	broken atomic.Bool
}

func (c *Core[D]) sendBatch(*Sock, [][]byte, int, D) (int, error) { return 0, errNoBatch }

func (c *Core[D]) readBatch(*Sock, []transport.Message) (int, error) { return 0, errNoBatch }

func (c *Core[D]) receiveBatched(*Sock) ([]byte, net.Addr, bool, error) { return nil, nil, false, nil }

func (c *Core[D]) takePrefetched([]byte) (int, net.Addr, bool, error) { return 0, nil, false, nil }
