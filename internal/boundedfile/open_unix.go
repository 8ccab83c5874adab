//go:build unix

package boundedfile

import "syscall"

// openFlags: opening a FIFO with no writer returns at once instead of
// waiting for one (the type check then refuses it), and a terminal does
// not become the controlling terminal.
const openFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY
