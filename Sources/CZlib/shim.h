// The system zlib (zlib1g-dev), exposed to Swift.
#ifndef ITS_CZLIB_SHIM_H
#define ITS_CZLIB_SHIM_H
#include <zlib.h>

/// deflateInit2 is a macro in zlib.h; Swift cannot call macros, so wrap it.
static inline int its_deflateInit2_gzip(z_streamp strm, int level) {
  return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int its_inflateInit2_gzip(z_streamp strm) {
  return inflateInit2(strm, 15 + 16);
}
#endif
