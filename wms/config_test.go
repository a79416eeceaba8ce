package wms

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestConfigSizes(t *testing.T) {
	for _, tc := range []struct {
		cfg         Config
		bc, bs, max int
	}{
		{Config{}, 0, 65535, 65535},
		{Config{BufCount: 4}, 4, 4 * 65535, 65535},
		{Config{BufCount: -1, BufSize: 1000}, 0, 1000, 1000}, // hio: bc <= 0 means none
		{Config{BufSize: 1 << 20}, 0, 1 << 20, 65535},
		{Config{BufSize: 1 << 20, MaxMessageSize: 200000}, 0, 1 << 20, 200000},
		{Config{MaxMessageSize: 100}, 0, 65535, 100},
	} {
		tc.cfg.Name = "x"
		s, err := tc.cfg.settings()
		if err != nil || s.bc != tc.bc || s.bs != tc.bs || s.max != tc.max {
			t.Errorf("%+v: bc, bs, max = %d, %d, %d, %v; want %d, %d, %d", tc.cfg, s.bc, s.bs, s.max, err, tc.bc, tc.bs, tc.max)
		}
	}
	u := uint32(0o022)
	for _, cfg := range []Config{
		{BufSize: -1},
		{BufCount: maxBufCount + 1},
		{MaxMessageSize: -1},
		{MaxMessageSize: 65536},
		{BufSize: 100, MaxMessageSize: 101},
		{PollInterval: -time.Millisecond},
		{PollInterval: 2 * time.Minute},
		{Umask: &u, SDDL: "D:P"},
	} {
		cfg.Name = "x"
		if _, err := cfg.settings(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%+v: err = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

func TestConfigPollInterval(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{
		0:                       DefaultPollInterval,
		time.Microsecond:        time.Millisecond,
		15 * time.Millisecond:   15 * time.Millisecond,
		1500 * time.Microsecond: 2 * time.Millisecond,
	} {
		s, err := Config{Name: "x", PollInterval: in}.settings()
		if err != nil || s.poll != want {
			t.Errorf("PollInterval %v: got %v, %v; want %v", in, s.poll, err, want)
		}
	}
}

func TestConfigNaming(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string // a regular expression for the whole name
	}{
		{Config{Name: `my\slot`}, `my\\slot`},
		{Config{Name: `\\.\mailslot\my\slot`}, `my\\slot`},
		{Config{Name: "alpha", Base: "team"}, `hio\\wms\\team\\alpha`},
		{Config{Name: "alpha", Temporary: true}, `hio_wms_[a-z2-7]{8}_test\\hio\\wms\\alpha`},
		{Config{Name: "alpha", Base: `a\b`, Temporary: true}, `hio_wms_[a-z2-7]{8}_test\\hio\\wms\\a\\b\\alpha`},
	} {
		s, err := tc.cfg.settings()
		if err != nil || !regexp.MustCompile(`^`+tc.want+`$`).MatchString(s.addr.Name) {
			t.Errorf("%+v: name %q, %v; want /%s/", tc.cfg, s.addr.Name, err, tc.want)
		}
	}
	a, _ := Config{Name: "alpha", Temporary: true}.settings()
	b, _ := Config{Name: "alpha", Temporary: true}.settings()
	if a.addr == b.addr {
		t.Errorf("two temporary names are both %q", a.addr.Name)
	}
	// The longest temporary name that fits, and one more character.
	room := MaxNameLen - len(`hio_wms_xxxxxxxx_test\hio\wms\`)
	if _, err := (Config{Name: strings.Repeat("n", room), Temporary: true}).settings(); err != nil {
		t.Errorf("temporary name of %d characters: %v", room, err)
	}
	if _, err := (Config{Name: strings.Repeat("n", room+1), Temporary: true}).settings(); !errors.Is(err, ErrInvalidName) {
		t.Errorf("temporary name of %d characters: err = %v, want ErrInvalidName", room+1, err)
	}
	for _, cfg := range []Config{
		{},
		{Base: "team"},
		{Temporary: true},
		{Name: "alpha", Base: `\team`},
		{Name: `\alpha`, Temporary: true},
		{Name: "a/b", Base: "team"},
	} {
		if _, err := cfg.settings(); !errors.Is(err, ErrInvalidName) {
			t.Errorf("%+v: err = %v, want ErrInvalidName", cfg, err)
		}
	}
}

func TestPersistentAddr(t *testing.T) {
	for _, tc := range []struct{ base, name, want string }{
		{"", "alpha", `hio\wms\alpha`},
		{"team", "alpha", `hio\wms\team\alpha`},
	} {
		if a, err := PersistentAddr(tc.base, tc.name); err != nil || a.Name != tc.want {
			t.Errorf("PersistentAddr(%q, %q) = %q, %v; want %q", tc.base, tc.name, a.Name, err, tc.want)
		}
	}
	if _, err := PersistentAddr("team", ""); !errors.Is(err, ErrInvalidName) {
		t.Errorf("empty name: err = %v, want ErrInvalidName", err)
	}
}
