// PulseAudio's asynchronous client API (Debian: libpulse-dev): device listing, and the streams
// on one threaded main loop.
#include <pulse/pulseaudio.h>
#include <pulse/error.h>

// Macros Swift cannot import, as functions.
static inline uint32_t cpulse_invalid_index(void) { return PA_INVALID_INDEX; }
static inline int cpulse_context_is_good(pa_context_state_t s) { return PA_CONTEXT_IS_GOOD(s); }
