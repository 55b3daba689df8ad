#ifndef TERMINAL_GUARD_H
#define TERMINAL_GUARD_H
#include <stddef.h>

/// Remembers the terminal modes of `fd`; call before curses changes them.
void terminal_guard_save_modes(int fd);

/// Arms handlers for fatal signals (SEGV, BUS, ILL, TRAP, ABRT, FPE, QUIT) that write
/// `reset` to the terminal, restore the saved modes, and re-raise the signal.
void terminal_guard_arm(const char *reset, size_t length);

/// Nothing to restore any more (curses has ended normally).
void terminal_guard_disarm(void);

#endif
