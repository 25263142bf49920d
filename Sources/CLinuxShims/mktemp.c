/* mktemp(3) with glibc's contract, built on mkstemp(3).
 *
 * itsd links the Swift runtime and Foundation statically (docs/operations.md, "Memory"), and one
 * of Foundation's file helpers, which itsd never calls, refers to mktemp. glibc tags its own
 * mktemp with a link-time warning, so every static link of itsd printed "the use of `mktemp' is
 * dangerous". This definition takes that reference instead: same arguments and result (the
 * template's trailing XXXXXX replaced by a name that did not exist; on failure the template
 * becomes the empty string and errno is set), but the name is found by creating the file with
 * mkstemp and removing it again, so nothing links against glibc's mktemp. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *mktemp(char *template) {
  size_t length = strlen(template);
  if (length < 6 || memcmp(template + length - 6, "XXXXXX", 6) != 0) {
    errno = EINVAL;
    template[0] = '\0';
    return template;
  }
  int fd = mkstemp(template);
  if (fd < 0) {
    template[0] = '\0';
    return template;
  }
  close(fd);
  unlink(template);
  return template;
}
