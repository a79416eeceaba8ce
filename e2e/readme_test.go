package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exampleMark names, in README.md, the Example function whose body the next
// go block shows.
var exampleMark = regexp.MustCompile("<!-- example: (\\S+) (\\w+) -->(?s:.*?)```go\n(?s:(.*?))\n```")

// TestReadmeShowsTheExamples keeps the README's "Using the library" blocks
// identical to the runnable examples they are taken from, so that what a
// reader copies is code that go test runs.
func TestReadmeShowsTheExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	marks := exampleMark.FindAllStringSubmatch(string(readme), -1)
	if len(marks) < 3 {
		t.Fatalf("README.md marks %d examples, want at least 3", len(marks))
	}
	for _, m := range marks {
		file, fn, block := m[1], m[2], m[3]
		src, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		body, ok := exampleBody(string(src), fn)
		if !ok {
			t.Errorf("README.md shows %s from %s, which has no such example with an Output comment", fn, file)
			continue
		}
		if body != block {
			t.Errorf("README.md's block for %s differs from %s; copy the example's body (without its Output comment, one tab less) into README.md", fn, file)
		}
	}
}

// exampleBody returns the source of fn's body up to its Output comment,
// dedented by one tab.
func exampleBody(src, fn string) (string, bool) {
	_, rest, ok := strings.Cut(src, "\nfunc "+fn+"() {\n")
	if !ok {
		return "", false
	}
	body, _, ok := strings.Cut(rest, "\n\t// Output:")
	if !ok {
		return "", false
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n"), true
}
