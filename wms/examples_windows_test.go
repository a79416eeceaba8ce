package wms_test

import (
	"io"
	"os"
	"testing"
)

// The examples carry no Output comment, so that they compile on every
// platform (and show on pkg.go.dev) while running only where mailslots
// exist: here, with their output checked as go test would.
func TestExamples(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func()
		want string
	}{
		{"Example", Example, "hello beta, source <nil>\n"},
		{"Example_memo", Example_memo, "\"Hello beta\" from wms hio\\wms\\example_PID\\alpha\n" +
			"\"Hello alpha\" from wms hio\\wms\\example_PID\\beta\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := stdoutOf(t, c.run); got != c.want {
				t.Fatalf("output:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func stdoutOf(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	defer func() { os.Stdout = saved }()
	f()
	os.Stdout = saved
	w.Close()
	s := <-out
	r.Close()
	return s
}
