// The wide-character curses API (add_wch, get_wch, cchar_t) needs this before curses.h.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Curses macros Swift cannot import, as functions.
static inline int cnc_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cnc_a_normal(void) { return A_NORMAL; }
static inline int cnc_key_code_yes(void) { return KEY_CODE_YES; }

// Swift's Glibc module is built without _XOPEN_SOURCE, so its <wchar.h> does not declare this.
extern int wcwidth(wchar_t c);

// Also hidden without _XOPEN_SOURCE: the pseudo-terminal calls the backend's tests use.
extern int posix_openpt(int flags);
extern int grantpt(int fd);
extern int unlockpt(int fd);
extern char *ptsname(int fd);

#include <sys/ioctl.h>

/// The size of the terminal on `fd` as the kernel knows it (TIOCGWINSZ): 0 on success, -1 otherwise.
static inline int cnc_window_size(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

/// Sets the size of the terminal on `fd` (TIOCSWINSZ): 0 on success, -1 otherwise.
static inline int cnc_set_window_size(int fd, int rows, int cols) {
    struct winsize ws = { 0 };
    ws.ws_row = (unsigned short)rows;
    ws.ws_col = (unsigned short)cols;
    return ioctl(fd, TIOCSWINSZ, &ws) == 0 ? 0 : -1;
}

// C globals Swift 6 rejects as shared mutable state, read through functions.
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }
static inline FILE *cnc_stdin(void) { return stdin; }
static inline FILE *cnc_stdout(void) { return stdout; }

// Shows the cursor after endwin, on the terminal's own stream: leaving the alternate
// screen can restore the hidden-cursor state saved when it was entered, so cnorm must come last.
static inline void cnc_show_cursor_after_endwin(FILE *out) {
    char *cnorm = tigetstr("cnorm");
    if (cnorm != 0 && cnorm != (char *)-1) {
        fputs(cnorm, out);
        fflush(out);
    }
}

/// The terminfo string for `capability`, or NULL.
static inline const char *cnc_terminfo_string(const char *capability) {
    char *value = tigetstr(capability);
    return (value == 0 || value == (char *)-1) ? 0 : value;
}
