package wms

// x/sys/windows has no mailslot calls (docs/mailslots.md §7). CreateMailslotW
// signals failure with INVALID_HANDLE_VALUE rather than 0, hence the
// failretval; the two BOOL calls use mkwinsyscall's default (0 = failure).

//go:generate go run golang.org/x/sys/windows/mkwinsyscall -output zsyscall_windows.go syscall_windows.go

//sys	createMailslot(name *uint16, maxMessageSize uint32, readTimeout uint32, sa *windows.SecurityAttributes) (h windows.Handle, err error) [failretval==windows.InvalidHandle] = kernel32.CreateMailslotW
//sys	getMailslotInfo(h windows.Handle, maxMessageSize *uint32, nextSize *uint32, messageCount *uint32, readTimeout *uint32) (err error) = kernel32.GetMailslotInfo
//sys	setMailslotInfo(h windows.Handle, readTimeout uint32) (err error) = kernel32.SetMailslotInfo

// mailslotNoMessage is GetMailslotInfo's next size for an empty slot.
const mailslotNoMessage = 0xFFFFFFFF
