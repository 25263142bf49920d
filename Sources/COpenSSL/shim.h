// The system OpenSSL (libssl-dev), exposed to Swift.
//
// Swift cannot call C macros or variadic functions, so the few OpenSSL entry points that are
// macros (BIO_get_mem_data, SSL_CTX_set_min_proto_version, ...) and the multi-step X.509
// chores the Certificates module needs are wrapped here as small static inline functions with
// the `its_` prefix. They hold no state.
#ifndef ITS_COPENSSL_SHIM_H
#define ITS_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

// MARK: Memory BIOs

/// Unread bytes of a memory BIO, in place (no copy). Returns their count.
static inline long its_bio_mem_data(BIO *bio, const uint8_t **data) {
  char *p = NULL;
  long n = BIO_get_mem_data(bio, &p);
  *data = (const uint8_t *)p;
  return n;
}

/// Empties a memory BIO.
static inline int its_bio_reset(BIO *bio) { return BIO_reset(bio); }

/// A new empty memory BIO whose reads report "retry" (not end of file) when it is empty,
/// as a TLS engine fed from a socket needs.
static inline BIO *its_bio_new_mem_retry(void) {
  BIO *bio = BIO_new(BIO_s_mem());
  if (bio != NULL) BIO_set_mem_eof_return(bio, -1);
  return bio;
}

// MARK: SSL_CTX settings that are macros

static inline int its_ssl_ctx_set_protocols_tls12_13(SSL_CTX *ctx) {
  return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
         SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1;
}

static inline int its_ssl_ctx_set_groups(SSL_CTX *ctx, const char *groups) {
  return (int)SSL_CTX_set1_groups_list(ctx, groups);
}

static inline int its_ssl_ctx_add_chain_cert(SSL_CTX *ctx, X509 *cert) {
  return (int)SSL_CTX_add1_chain_cert(ctx, cert);
}

/// Options and modes every itsd TLS context uses: no compression, no renegotiation, the
/// server's cipher order, no session tickets, buffers released when idle.
static inline void its_ssl_ctx_set_defaults(SSL_CTX *ctx) {
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
  SSL_CTX_set_num_tickets(ctx, 0);
}

static inline int its_ssl_set_sni(SSL *ssl, const char *name) {
  return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// Certificate verification callback that never fails the handshake: the server requests a
/// client certificate and judges it afterwards with SSL_get_verify_result.
static inline int its_verify_accept_all(int preverify, X509_STORE_CTX *ctx) {
  (void)preverify;
  (void)ctx;
  return 1;
}

static inline void its_ssl_ctx_request_client_cert(SSL_CTX *ctx) {
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, its_verify_accept_all);
}

/// ALPN selection for servers that speak HTTP/1.1 only: picks "http/1.1" when the client
/// offers it; otherwise negotiates no protocol (the client then assumes HTTP/1.1) instead of
/// failing the handshake.
static inline int its_alpn_select_http11(SSL *ssl, const unsigned char **out,
                                         unsigned char *outlen, const unsigned char *in,
                                         unsigned int inlen, void *arg) {
  (void)ssl;
  (void)arg;
  unsigned int i = 0;
  while (i < inlen) {
    unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 8 && memcmp(in + i + 1, "http/1.1", 8) == 0) {
      *out = in + i + 1;
      *outlen = (unsigned char)len;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

static inline void its_ssl_ctx_select_http11(SSL_CTX *ctx) {
  SSL_CTX_set_alpn_select_cb(ctx, its_alpn_select_http11, NULL);
}

/// Client side: checks the server certificate against `name` (an IP address literal or a DNS
/// name) and sends SNI for DNS names.
static inline int its_ssl_set_expected_peer(SSL *ssl, const char *name) {
  X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
  if (X509_VERIFY_PARAM_set1_ip_asc(param, name) == 1) return 1;
  ERR_clear_error();
  if (SSL_set1_host(ssl, name) != 1) return 0;
  return (int)SSL_set_tlsext_host_name(ssl, name);
}

// MARK: Keys

/// A fresh EC key on P-256 (prime256v1), or NULL.
static inline EVP_PKEY *its_ec_p256_generate(void) {
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
  if (ctx == NULL) return NULL;
  if (EVP_PKEY_keygen_init(ctx) == 1 &&
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) == 1) {
    if (EVP_PKEY_keygen(ctx, &key) != 1) key = NULL;
  }
  EVP_PKEY_CTX_free(ctx);
  return key;
}

// MARK: Certificates

/// Seconds since the Unix epoch of an ASN1_TIME; 0 with *ok = 0 when it cannot be read.
static inline int64_t its_asn1_time_unix(const ASN1_TIME *t, int *ok) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
    *ok = 0;
    return 0;
  }
  *ok = 1;
  return (int64_t)timegm(&tm);
}

/// Sets a certificate time to `unixSeconds`.
static inline int its_asn1_time_set_unix(ASN1_TIME *t, int64_t unixSeconds) {
  return ASN1_TIME_set(t, (time_t)unixSeconds) != NULL;
}

/// A random positive 128-bit serial number on `cert`.
static inline int its_x509_set_random_serial(X509 *cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return 0;
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x40;  // and a full 16 bytes long
  BIGNUM *bn = BN_bin2bn(bytes, sizeof bytes, NULL);
  if (bn == NULL) return 0;
  ASN1_INTEGER *serial = BN_to_ASN1_INTEGER(bn, NULL);
  BN_free(bn);
  if (serial == NULL) return 0;
  int ok = X509_set_serialNumber(cert, serial);
  ASN1_INTEGER_free(serial);
  return ok;
}

/// Adds one X.509v3 extension written in openssl's config syntax (e.g. NID_key_usage with
/// "critical,digitalSignature,keyEncipherment"). `issuer` may equal `cert` (self-signed).
static inline int its_x509_add_extension(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (ext == NULL) return 0;
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

/// Appends a UTF-8 attribute (NID_commonName, NID_organizationName, ...) to a name.
static inline int its_x509_name_add(X509_NAME *name, int nid, const char *value, int length) {
  return X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, (const unsigned char *)value,
                                    length, -1, 0);
}

/// A name printed as RFC 2253 text ("CN=itsd-ca,O=x") into a memory BIO the caller reads.
static inline int its_x509_name_print_rfc2253(BIO *out, const X509_NAME *name) {
  return X509_NAME_print_ex(out, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
}

/// The subjectAltName entries of `cert` as lines "DNS:name" / "IP:address" (inet_ntop form)
/// written to `out`. Returns the number of entries written (other kinds are skipped).
static inline int its_x509_write_alt_names(X509 *cert, BIO *out) {
  GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  if (names == NULL) return 0;
  int written = 0;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      BIO_printf(out, "DNS:%.*s\n", ASN1_STRING_length(name->d.dNSName),
                 (const char *)ASN1_STRING_get0_data(name->d.dNSName));
      written++;
    } else if (name->type == GEN_IPADD) {
      char text[INET6_ADDRSTRLEN];
      int length = ASN1_STRING_length(name->d.iPAddress);
      const unsigned char *bytes = ASN1_STRING_get0_data(name->d.iPAddress);
      int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
      if (family != 0 && inet_ntop(family, bytes, text, sizeof text) != NULL) {
        BIO_printf(out, "IP:%s\n", text);
        written++;
      }
    }
  }
  GENERAL_NAMES_free(names);
  return written;
}

/// The number of entries in a certificate stack (a macro-generated inline in OpenSSL).
static inline int its_x509_stack_count(STACK_OF(X509) *stack) { return sk_X509_num(stack); }

static inline X509 *its_x509_stack_value(STACK_OF(X509) *stack, int i) {
  return sk_X509_value(stack, i);
}

#endif
