package leaktest

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// Neither is in x/sys/windows.
var (
	kernel32              = windows.NewLazySystemDLL("kernel32.dll")
	getProcessHandleCount = kernel32.NewProc("GetProcessHandleCount")
	getHandleInformation  = kernel32.NewProc("GetHandleInformation")
)

// maxScan bounds the handle values scanned where the count is not
// available: handle values are multiples of 4, allocated from the bottom.
const maxScan = 1 << 16

// descriptors counts the process's open handles. Windows counts them with
// GetProcessHandleCount; Wine 8's answers 0 (a stub: a process always holds
// handles), so there every handle value is tried with GetHandleInformation.
func descriptors() (int, error) {
	if err := getProcessHandleCount.Find(); err != nil {
		return 0, err
	}
	var n uint32
	r, _, err := getProcessHandleCount.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&n)))
	if r == 0 {
		return 0, err
	}
	if n > 0 {
		return int(n), nil
	}
	if err := getHandleInformation.Find(); err != nil {
		return 0, err
	}
	var flags uint32
	for v := uintptr(4); v < 4*maxScan; v += 4 {
		if r, _, _ := getHandleInformation.Call(v, uintptr(unsafe.Pointer(&flags))); r != 0 {
			n++
		}
	}
	return int(n), nil
}
