package wms

import (
	"errors"
	"strings"
	"testing"

	"github.com/memogram/memogram/transport"
)

func TestParseAddr(t *testing.T) {
	long := strings.Repeat("a", MaxNameLen)
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{in: "alpha", want: "alpha"},
		{in: `hio\wms\team\alpha`, want: `hio\wms\team\alpha`},
		{in: `\\.\mailslot\alpha`, want: "alpha"},
		{in: `\\.\MailSlot\a\b`, want: `a\b`},
		{in: "Ünïcødé ok", want: "Ünïcødé ok"},
		{in: long, want: long},
		{in: long + "a", err: ErrInvalidName},
		{in: strings.Repeat("😀", MaxNameLen/2), want: strings.Repeat("😀", MaxNameLen/2)},
		{in: strings.Repeat("😀", MaxNameLen/2) + "a", err: ErrInvalidName}, // 2 UTF-16 units each
		{in: "", err: ErrInvalidName},
		{in: `\\.\mailslot\`, err: ErrInvalidName},
		{in: `\alpha`, err: ErrInvalidName},
		{in: "al\x00pha", err: ErrInvalidName},
		{in: "al/pha", err: ErrInvalidName},
		{in: `a\\b`, err: ErrInvalidName},
		{in: `a\`, err: ErrInvalidName},
		{in: `a\.\b`, err: ErrInvalidName},
		{in: `a\..\b`, err: ErrInvalidName},
		{in: "alpha.", err: ErrInvalidName},
		{in: "alpha ", err: ErrInvalidName},
		{in: "\xff", err: ErrInvalidName},
		{in: `\\host\mailslot\alpha`, err: transport.ErrUnsupported},
		{in: `\\*\MAILSLOT\alpha`, err: transport.ErrUnsupported},
	} {
		got, err := ParseAddr(tc.in)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ParseAddr(%q) = %v, %v; want error %v", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got.Name != tc.want {
			t.Errorf("ParseAddr(%q) = %q, %v; want %q", tc.in, got.Name, err, tc.want)
		}
	}
}

func TestAddrMethods(t *testing.T) {
	a := Addr{Name: `hio\wms\Alpha`}
	if a.Network() != "wms" || a.String() != `hio\wms\Alpha` || a.Path() != `\\.\mailslot\hio\wms\Alpha` {
		t.Errorf("Network/String/Path = %q %q %q", a.Network(), a.String(), a.Path())
	}
	if !a.Equal(Addr{Name: `HIO\WMS\alpha`}) || a.Equal(Addr{Name: `hio\wms\alph`}) {
		t.Error("Equal does not compare without regard to case")
	}
}

// foldKey must agree with strings.EqualFold, which the rest of the package
// (and its documentation) uses to say when two names are one slot.
func TestFoldKeyMatchesEqualFold(t *testing.T) {
	names := []string{
		"alpha", "ALPHA", "Alpha", "alphа", // the last with a Cyrillic а
		"k", "K", "\u212a", // Kelvin sign folds to k
		"s", "S", "\u017f", // long s folds to s
		"ß", "ẞ", "ss", "Σ", "σ", "ς", "ǅ", "ǆ", "Ǆ",
		`hio\wms\Straße`, `HIO\WMS\STRASSE`, "😀", "",
	}
	for _, a := range names {
		for _, b := range names {
			ka, kb := string(foldKey(nil, a)), string(foldKey(nil, b))
			if (ka == kb) != strings.EqualFold(a, b) {
				t.Errorf("%q, %q: keys %q, %q equal = %v; EqualFold = %v", a, b, ka, kb, ka == kb, strings.EqualFold(a, b))
			}
		}
	}
}
