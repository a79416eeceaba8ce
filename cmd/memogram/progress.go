package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line bar on a terminal while a benchmark runs. A nil
// *progress draws nothing, which is what a pipe or a file gets: scripts
// read stderr for the one-line failure message only.
type progress struct {
	w      io.Writer
	phases int

	mu    sync.Mutex
	done  int     // phases finished
	frac  float64 // of the current phase
	label string
	width int // of the last line drawn, to blank it

	stop chan struct{}
	wg   sync.WaitGroup
}

const barWidth = 30

func newProgress(w io.Writer, phases int) *progress {
	if !isTerminal(w) {
		return nil
	}
	p := &progress{w: w, phases: phases, done: -1, stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

// Phase starts the next phase.
func (p *progress) Phase(label string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.done++
	p.frac, p.label = 0, label
	p.mu.Unlock()
}

// Update sets how much of the current phase is done, 0 to 1.
func (p *progress) Update(frac float64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.frac = min(max(frac, 0), 1)
	p.mu.Unlock()
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	all := (float64(max(p.done, 0)) + p.frac) / float64(p.phases)
	all = min(all, 1)
	n := int(all * barWidth)
	line := fmt.Sprintf("[%s%s] %3.0f%%  %s", strings.Repeat("=", n), strings.Repeat(" ", barWidth-n), all*100, p.label)
	pad := max(p.width-len(line), 0)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	p.width = len(line)
}

// finish stops drawing and blanks the line, so that what follows starts
// on a clean line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
	}
}
