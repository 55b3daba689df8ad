// libsrtp2 (Debian: libsrtp2-dev): SRTP protect/unprotect with AES_CM_128_HMAC_SHA1_80.
#include <srtp2/srtp.h>
