package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	defectHeading = regexp.MustCompile(`(?m)^### ([A-Z][0-9]+) — `)
	defectRow     = regexp.MustCompile(`(?m)^\| ([A-Z][0-9]+) \|`)
	defectRange   = regexp.MustCompile(`(?m)^\| ([A-Z])([0-9]+)–[A-Z]([0-9]+) \|`)
	testName      = regexp.MustCompile("`(Test[A-Za-z0-9_]+)`")
	pkgGroup      = regexp.MustCompile(`\(([a-z0-9/]+(?:, [a-z0-9/]+)*)(?:[,:][^)]*)?\)`)
)

// TestHioDefectsDocNamesTests keeps docs/hio-defects.md §13 honest: every
// entry of the document (a "### S1 —" heading, a table row, or an "U1–U10"
// range of the summary) has a row there, and every test a row names is a
// func of that name in a _test.go file of a package the row gives for it.
func TestHioDefectsDocNamesTests(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "hio-defects.md"))
	if err != nil {
		t.Fatal(err)
	}
	body, table, ok := strings.Cut(string(doc), "\n## 13. Regression tests\n")
	if !ok {
		t.Fatal(`docs/hio-defects.md has no "## 13. Regression tests" section`)
	}
	entries := map[string]bool{}
	for _, m := range defectHeading.FindAllStringSubmatch(body, -1) {
		entries[m[1]] = true
	}
	for _, m := range defectRow.FindAllStringSubmatch(body, -1) {
		entries[m[1]] = true
	}
	for _, m := range defectRange.FindAllStringSubmatch(body, -1) {
		lo, _ := strconv.Atoi(m[2])
		hi, _ := strconv.Atoi(m[3])
		for n := lo; n <= hi; n++ {
			entries[m[1]+strconv.Itoa(n)] = true
		}
	}
	if len(entries) < 80 {
		t.Fatalf("found %d entries in docs/hio-defects.md; the parser has drifted from the document", len(entries))
	}

	funcs := map[string]map[string]bool{} // package dir → test funcs
	testFuncs := func(dir string) map[string]bool {
		if f, ok := funcs[dir]; ok {
			return f
		}
		f := map[string]bool{}
		files, _ := filepath.Glob(filepath.Join("..", filepath.FromSlash(dir), "*_test.go"))
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]+)\(`).FindAllStringSubmatch(string(src), -1) {
				f[m[1]] = true
			}
		}
		funcs[dir] = f
		return f
	}

	rows := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		m := defectRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		id := m[1]
		if rows[id] {
			t.Errorf("%s: two rows", id)
		}
		rows[id] = true
		if !entries[id] {
			t.Errorf("%s: a row for an entry the document does not have", id)
		}
		cell := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line[len(m[0]):]), "|"))
		if reason, na := strings.CutPrefix(cell, "not applicable: "); na {
			if len(reason) < 20 || testName.MatchString(cell) {
				t.Errorf("%s: not applicable needs a reason and names no test: %q", id, cell)
			}
			continue
		}
		// "`TestA`, `TestB` (memo); `TestC` (e2e)": each group's tests
		// must exist in one of the packages of its parenthesis.
		named := 0
		for _, group := range strings.Split(cell, "; ") {
			pm := pkgGroup.FindStringSubmatch(group)
			if pm == nil {
				t.Errorf("%s: %q names no package", id, group)
				continue
			}
			pkgs := strings.Split(pm[1], ", ")
			for _, tm := range testName.FindAllStringSubmatch(group, -1) {
				named++
				found := false
				for _, p := range pkgs {
					found = found || testFuncs(p)[tm[1]]
				}
				if !found {
					t.Errorf("%s: no func %s( in %v", id, tm[1], pkgs)
				}
			}
		}
		if named == 0 {
			t.Errorf("%s: neither a test nor a reason why none applies: %q", id, cell)
		}
	}
	for id := range entries {
		if !rows[id] {
			t.Errorf("%s: no row in §13", id)
		}
	}
}
