// The system OpenSSL (libssl-dev), exposed to Swift.
#ifndef ITS_COPENSSL_SHIM_H
#define ITS_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#endif
