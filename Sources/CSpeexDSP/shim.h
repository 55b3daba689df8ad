// speexdsp (Debian: libspeexdsp-dev): the resampler and the adaptive jitter buffer.
#include <speex/speex_resampler.h>
#include <speex/speex_jitter.h>
