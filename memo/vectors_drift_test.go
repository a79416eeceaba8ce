package memo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// vectorsSHA256 pins testdata/vectors.json as hio 55b5ee5 produced it. The
// vectors are evidence of what hio does, so the copy is never edited by hand:
// a new hio run replaces the file and this digest together.
const vectorsSHA256 = "b8d0ae0fa7e53320e609035719511c8f3bc7ce21bc7d83a650b9384e9e1299ce"

// TestVectorsCopyIntact fails when one byte of the repository's copy changes.
func TestVectorsCopyIntact(t *testing.T) {
	raw, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != vectorsSHA256 {
		t.Fatalf("%s has SHA-256 %s, want %s: the hio-produced vectors were edited", vectorsPath, got, vectorsSHA256)
	}
}

// TestVectorsCopyMatchesSpec compares the copy with the spec folder the
// vectors came from, when there is one: MEMOGRAM_SPEC names it (the test
// script sets it where the project's research notes sit beside the clone).
// A bare clone has no such folder; the copy and its digest are then the
// reference, and TestVectorsCopyIntact is the check that runs.
func TestVectorsCopyMatchesSpec(t *testing.T) {
	dir := os.Getenv("MEMOGRAM_SPEC")
	if dir == "" {
		t.Log("MEMOGRAM_SPEC is not set: no original to compare the copy with; its digest is checked by TestVectorsCopyIntact")
		return
	}
	orig, err := os.ReadFile(filepath.Join(dir, "vectors.json"))
	if err != nil {
		t.Fatalf("MEMOGRAM_SPEC is set but holds no vectors: %v", err)
	}
	copied, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(orig, copied) {
		i := 0
		for i < len(orig) && i < len(copied) && orig[i] == copied[i] {
			i++
		}
		t.Fatalf("%s differs from %s/vectors.json from byte %d on (lengths %d, %d): copy the new file and update vectorsSHA256",
			vectorsPath, dir, i, len(copied), len(orig))
	}
}
