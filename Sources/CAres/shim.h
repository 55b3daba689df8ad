// c-ares (Debian: libc-ares-dev): asynchronous DNS queries — NAPTR, SRV and A/AAAA for
// RFC 3263 server location — and the parsers of their answers.
#include <ares.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
