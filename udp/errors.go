package udp

import "github.com/memogram/memogram/internal/dgram"

// opError names the operation and the address; it is a net.Error.
func opError(op, addr string, err error) error {
	return &dgram.OpError{Pkg: "udp", Op: op, Addr: addr, Err: err}
}

// sendError classifies a failed send to dst.
func sendError(op, dst string, size, maxSize int, err error) error {
	return dgram.SendError("udp", op, dst, size, maxSize, err, noDestination)
}

func tooLarge(op, dst string, size, maxSize int) error {
	return dgram.TooLarge("udp", op, dst, size, maxSize)
}
