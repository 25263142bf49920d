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
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
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

// MARK: The TLS session's buffer BIO
//
// One BIO serves as both ends of a TLS session that never touches a descriptor (the owner moves
// ciphertext between the session and its socket). Cheaper than a pair of memory BIOs on every
// record: no BUF_MEM growth that clears the old block, no clearing of the whole buffer on reset,
// no BIO_ctrl round trip to learn what is pending.
//
// Input: ciphertext the owner *lends* for one call (`its_tls_bio_lend`), read in place, plus
// ciphertext the session *keeps* (what a lent span still held when the call ended, or what the
// owner appended). Kept bytes are read first. An empty input reads as "retry".
// Output: one growable buffer the owner drains (`its_tls_bio_out`, `its_tls_bio_consume`); a
// block grown past 64 KiB is freed once drained, so an idle session holds little.

typedef struct its_tls_buffers {
  const uint8_t *lent;
  size_t lent_len;
  uint8_t *kept;
  size_t kept_start, kept_end, kept_cap;
  uint8_t *out;
  size_t out_start, out_end, out_cap;
} its_tls_buffers;

/// Makes room for `extra` more bytes after `*end` in a buffer whose live bytes are
/// [*start, *end): moves them to the front, or grows the block. Returns 0 on allocation failure.
static inline int its_tls_reserve(uint8_t **data, size_t *start, size_t *end, size_t *cap,
                                  size_t extra) {
  size_t live = *end - *start;
  if (*cap - *end >= extra) return 1;
  if (*start > 0 && *cap - live >= extra) {
    memmove(*data, *data + *start, live);
  } else {
    size_t want = *cap < 4096 ? 4096 : *cap;
    while (want - live < extra) want *= 2;
    uint8_t *grown = (uint8_t *)malloc(want);
    if (grown == NULL) return 0;
    if (live > 0) memcpy(grown, *data + *start, live);
    free(*data);
    *data = grown;
    *cap = want;
  }
  *start = 0;
  *end = live;
  return 1;
}

static inline its_tls_buffers *its_tls_bio_buffers(BIO *bio) {
  return (its_tls_buffers *)BIO_get_data(bio);
}

static inline int its_tls_bio_read(BIO *bio, char *into, size_t want, size_t *got) {
  its_tls_buffers *b = its_tls_bio_buffers(bio);
  size_t n = 0;
  BIO_clear_retry_flags(bio);
  if (b->kept_end > b->kept_start) {
    n = b->kept_end - b->kept_start;
    if (n > want) n = want;
    memcpy(into, b->kept + b->kept_start, n);
    b->kept_start += n;
    if (b->kept_start == b->kept_end) b->kept_start = b->kept_end = 0;
  }
  if (n < want && b->lent_len > 0) {
    size_t m = b->lent_len < want - n ? b->lent_len : want - n;
    memcpy(into + n, b->lent, m);
    b->lent += m;
    b->lent_len -= m;
    n += m;
  }
  *got = n;
  if (n == 0) {
    BIO_set_retry_read(bio);
    return 0;
  }
  return 1;
}

static inline void its_tls_release_out(its_tls_buffers *b) {
  if (b->out_start == b->out_end) {
    b->out_start = b->out_end = 0;
    if (b->out_cap > 65536) {
      free(b->out);
      b->out = NULL;
      b->out_cap = 0;
    }
  }
}

static inline int its_tls_bio_write(BIO *bio, const char *from, size_t count, size_t *written) {
  its_tls_buffers *b = its_tls_bio_buffers(bio);
  BIO_clear_retry_flags(bio);
  if (!its_tls_reserve(&b->out, &b->out_start, &b->out_end, &b->out_cap, count)) return 0;
  memcpy(b->out + b->out_end, from, count);
  b->out_end += count;
  *written = count;
  return 1;
}

static inline long its_tls_bio_ctrl(BIO *bio, int cmd, long num, void *ptr) {
  (void)num;
  (void)ptr;
  its_tls_buffers *b = its_tls_bio_buffers(bio);
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return (long)(b->kept_end - b->kept_start + b->lent_len);
    case BIO_CTRL_WPENDING:
      return (long)(b->out_end - b->out_start);
    default:
      return 0;
  }
}

static inline int its_tls_bio_create(BIO *bio) {
  its_tls_buffers *b = (its_tls_buffers *)calloc(1, sizeof(its_tls_buffers));
  if (b == NULL) return 0;
  BIO_set_data(bio, b);
  BIO_set_init(bio, 1);
  return 1;
}

static inline int its_tls_bio_destroy(BIO *bio) {
  its_tls_buffers *b = its_tls_bio_buffers(bio);
  if (b != NULL) {
    free(b->kept);
    free(b->out);
    free(b);
    BIO_set_data(bio, NULL);
  }
  return 1;
}

static BIO_METHOD *its_tls_bio_method_instance = NULL;

static inline void its_tls_bio_method_make(void) {
  BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "its tls buffers");
  if (m == NULL) return;
  if (BIO_meth_set_read_ex(m, its_tls_bio_read) != 1 ||
      BIO_meth_set_write_ex(m, its_tls_bio_write) != 1 ||
      BIO_meth_set_ctrl(m, its_tls_bio_ctrl) != 1 || BIO_meth_set_create(m, its_tls_bio_create) != 1 ||
      BIO_meth_set_destroy(m, its_tls_bio_destroy) != 1) {
    BIO_meth_free(m);
    return;
  }
  its_tls_bio_method_instance = m;
}

/// A new buffer BIO (see above), or NULL. The method is made once per module that includes
/// this header and never freed.
static inline BIO *its_tls_bio_new(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, its_tls_bio_method_make);
  return its_tls_bio_method_instance == NULL ? NULL : BIO_new(its_tls_bio_method_instance);
}

/// Lends `count` bytes at `data` as input until `its_tls_bio_keep_unread`.
static inline void its_tls_bio_lend(BIO *bio, const uint8_t *data, size_t count) {
  its_tls_buffers *b = its_tls_bio_buffers(bio);
  b->lent = data;
  b->lent_len = count;
}

/// Ends a loan: copies what the session did not read of the lent bytes into its own input.
/// Returns 0 on allocation failure (the bytes are then dropped).
static inline int its_tls_bio_keep_unread(BIO *bio) {
  its_tls_buffers *b = its_tls_bio_buffers(bio);
  int ok = 1;
  if (b->lent_len > 0) {
    ok = its_tls_reserve(&b->kept, &b->kept_start, &b->kept_end, &b->kept_cap, b->lent_len);
    if (ok) {
      memcpy(b->kept + b->kept_end, b->lent, b->lent_len);
      b->kept_end += b->lent_len;
    }
  }
  b->lent = NULL;
  b->lent_len = 0;
  return ok;
}

/// Ciphertext waiting for the peer, in place; returns its count.
static inline size_t its_tls_bio_out(BIO *bio, const uint8_t **data) {
  its_tls_buffers *b = its_tls_bio_buffers(bio);
  *data = b->out == NULL ? NULL : b->out + b->out_start;
  return b->out_end - b->out_start;
}

/// Drops the first `count` bytes of the waiting ciphertext (they were sent).
static inline void its_tls_bio_consume(BIO *bio, size_t count) {
  its_tls_buffers *b = its_tls_bio_buffers(bio);
  size_t pending = b->out_end - b->out_start;
  b->out_start += count < pending ? count : pending;
  its_tls_release_out(b);
}

// MARK: SSL_CTX settings that are macros

static inline int its_ssl_ctx_set_protocols_tls12_13(SSL_CTX *ctx) {
  return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
         SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1;
}

static inline int its_ssl_ctx_set_groups(SSL_CTX *ctx, const char *groups) {
  return (int)SSL_CTX_set1_groups_list(ctx, groups);
}

/// Builds the serving certificate's chain from the context's certificate store once, as OpenSSL
/// would otherwise do (verifying every signature on the way) in every handshake: as much of the
/// chain as can be found, errors ignored and cleared.
static inline int its_ssl_ctx_build_chain(SSL_CTX *ctx) {
  int ok = (int)SSL_CTX_build_cert_chain(
      ctx, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR | SSL_BUILD_CHAIN_FLAG_CLEAR_ERROR);
  ERR_clear_error();
  return ok;
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

/// For a server whose owner frees idle sessions' buffers itself (`SSL_free_buffers`): keeps the
/// record buffers between records (no allocation and release of two 16 KiB blocks per request)
/// and reads ahead (all the ciphertext at hand in one go, not a header and then a body).
static inline void its_ssl_ctx_keep_buffers_read_ahead(SSL_CTX *ctx) {
  SSL_CTX_clear_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_read_ahead(ctx, 1);
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
