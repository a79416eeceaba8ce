package bench

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/memogram/memogram/uxd"
)

func TestZZProfUXD(t *testing.T) {
	dir := t.TempDir()
	size, _ := strconv.Atoi(getenv("ZZSIZE", "100"))
	spec := Spec{Transport: "uxd", Size: size, Duration: 3 * time.Second,
		Open: func(role string) (net.PacketConn, error) {
			return uxd.Open(uxd.Config{Path: filepath.Join(dir, role)})
		}}
	p, err := Measure(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ratio %.3f raw %.0f/s memo %.0f/s", p.Ratio(), p.RawDgramsPerS(), p.MemosPerS())
}

func getenv(k, d string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return d
}
