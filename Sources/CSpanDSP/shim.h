// spandsp (Debian: libspandsp-dev): only the G.722 codec and the packet loss concealer.
// The umbrella <spandsp.h> pulls in libtiff for fax; these headers need only the C basics.
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <spandsp/telephony.h>
#include <spandsp/plc.h>
#include <spandsp/g722.h>
