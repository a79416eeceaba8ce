//go:build linux && !race

package uxd_test

const raceEnabled = false
