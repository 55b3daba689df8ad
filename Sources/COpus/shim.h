// Opus (libopus, Debian: libopus-dev), the codec of RFC 6716 carried in RTP by RFC 7587.
#include <opus.h>

// opus_encoder_ctl and opus_decoder_ctl are variadic, which Swift cannot call: the requests
// the softphone makes, as functions. Each returns OPUS_OK or a negative error code.
static inline int copus_set_bitrate(OpusEncoder *e, opus_int32 bps) { return opus_encoder_ctl(e, OPUS_SET_BITRATE(bps)); }
static inline int copus_set_inband_fec(OpusEncoder *e, opus_int32 on) { return opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(on)); }
static inline int copus_set_packet_loss_perc(OpusEncoder *e, opus_int32 percent) { return opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(percent)); }
static inline int copus_set_signal_voice(OpusEncoder *e) { return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)); }
static inline int copus_set_complexity(OpusEncoder *e, opus_int32 complexity) { return opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(complexity)); }
