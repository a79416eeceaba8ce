package wms

import (
	"fmt"
	"net"
	"unsafe"

	"golang.org/x/sys/windows"
)

// SDDL pieces. The rights are the file-specific ones rather than generic
// rights: Windows maps generic rights when it stores a descriptor, so a
// descriptor read back would not match the one built. FW (FILE_GENERIC_WRITE)
// is exactly what a writer's CreateFile(GENERIC_WRITE) asks for. The P flag
// keeps the DACL from inheriting entries from the mailslot root.
const (
	sddlOwnerOnly = "D:P(A;;FA;;;%s)(A;;FA;;;SY)"
	aceUsersWrite = "(A;;FW;;;BU)"
	aceWorldWrite = "(A;;FW;;;WD)"
)

// descriptor returns the SDDL a new slot is created with: the explicit
// Config.SDDL, or the mapping of Config.Umask documented there.
func (s *settings) descriptor() (string, error) {
	if s.sddl != "" {
		return s.sddl, nil
	}
	// The current user, not OWNER RIGHTS (OW): an "OW" entry restricts the
	// owner's implicit rights and does not name the user.
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("wms: security descriptor for %s: current user: %w", s.addr.Name, err)
	}
	sddl := fmt.Sprintf(sddlOwnerOnly, user.User.Sid.String())
	if s.umask != nil {
		perm := 0o777 &^ *s.umask
		if perm&0o020 != 0 {
			sddl += aceUsersWrite
		}
		if perm&0o002 != 0 {
			sddl += aceWorldWrite
		}
	}
	return sddl, nil
}

// securityAttributes parses sddl for CreateMailslotW. The parsed descriptor
// is Go memory, so it stays valid for as long as the result is referenced.
func securityAttributes(sddl string) (*windows.SecurityAttributes, error) {
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return nil, fmt.Errorf("%w: SDDL %q: %w", ErrInvalidConfig, sddl, err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	return sa, nil
}

// SecurityDescriptor reads the open slot's owner and DACL back from Windows,
// in SDDL, so that callers can check what the system actually stored.
func (p *Peer) SecurityDescriptor() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.slot == windows.InvalidHandle {
		return "", p.opError("security", nil, net.ErrClosed)
	}
	sd, err := windows.GetSecurityInfo(p.slot, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", p.opError("security", nil, err)
	}
	return sd.String(), nil
}
