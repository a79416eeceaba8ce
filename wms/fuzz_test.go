package wms

import (
	"strings"
	"testing"
)

// FuzzParseAddr checks that ParseAddr never panics, that what it accepts
// passes again unchanged, and that foldKey agrees with strings.EqualFold.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"alpha", `hio\wms\team\Alpha`, `\\.\mailslot\x`, `\\h\mailslot\x`, "a/b", "ß\u212a", ""} {
		f.Add(s, strings.ToUpper(s))
	}
	f.Fuzz(func(t *testing.T, s, other string) {
		if a, err := ParseAddr(s); err == nil {
			if b, err := ParseAddr(a.Name); err != nil || b != a {
				t.Fatalf("ParseAddr(%q) = %q, but ParseAddr of that = %q, %v", s, a.Name, b.Name, err)
			}
		}
		if (string(foldKey(nil, s)) == string(foldKey(nil, other))) != strings.EqualFold(s, other) {
			t.Fatalf("foldKey and EqualFold disagree on %q, %q", s, other)
		}
	})
}
