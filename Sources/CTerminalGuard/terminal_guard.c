// Restores the terminal when the process crashes. A Swift trap, an abort or a
// segfault skips atexit; these handlers are async-signal-safe: they write reset
// sequences prepared in advance, restore the saved terminal modes, and re-raise.
#include "terminal_guard.h"

#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static char reset_bytes[256];
static volatile sig_atomic_t reset_length = 0;
static struct termios saved_modes;
static volatile sig_atomic_t have_modes = 0;
static int terminal_fd = -1;

static void on_fatal_signal(int sig) {
    if (terminal_fd >= 0 && reset_length > 0) {
        ssize_t written = write(terminal_fd, reset_bytes, (size_t)reset_length);
        (void)written;
    }
    if (have_modes) tcsetattr(terminal_fd, TCSANOW, &saved_modes);
    signal(sig, SIG_DFL);
    raise(sig);
}

void terminal_guard_save_modes(int fd) {
    terminal_fd = fd;
    have_modes = tcgetattr(fd, &saved_modes) == 0;
}

void terminal_guard_arm(const char *reset, size_t length) {
    if (length > sizeof reset_bytes) length = sizeof reset_bytes;
    memcpy(reset_bytes, reset, length);
    reset_length = (sig_atomic_t)length;

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGQUIT };
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) sigaction(fatal[i], &action, 0);
}

void terminal_guard_disarm(void) {
    reset_length = 0;
    have_modes = 0;
}
